/**
 * The component library: what other Pulumi programs use, in TypeScript directly, and in C#, Python, Go
 * or YAML through the generated SDK (`pulumi package add`). package.json `main` points here, and the
 * Pulumi language host exposes every ComponentResource exported from this module.
 */
export { AdminConnection, DatabaseEngine, IntegrationAccess, IpAddressType, RdsRestartPolicy } from "../enums";
export { DatabaseEndpoints } from "./databaseEndpoints/databaseEndpoints";
export { DatabaseEndpointsArgs, EndpointDatabase, EndpointSettings, IntegrationSettings, Quotas, CertificateAuthoritySettings, AlarmSettings } from "./databaseEndpoints/args";
export { DatabaseEndpoint, DatabaseEndpointArgs, DatabaseTarget } from "./databaseEndpoint";
export { CertificateAuthority, CertificateAuthorityArgs } from "./certificateAuthority";
export { DatabaseCertificate, DatabaseCertificateArgs } from "./databaseCertificate";
export { DatabaseIntegrations, DatabaseIntegrationsArgs, Integration } from "./databaseIntegrations";
export { TargetSyncArgs, TargetSyncTarget } from "./targetSync";
export { TargetSync, Upkeep, UpkeepArgs, WatchedCertificate } from "./upkeep";
