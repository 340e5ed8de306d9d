/**
 * The component library: what other Pulumi programs use, in TypeScript directly, and in C#, Python, Go
 * or YAML through the generated SDK (`pulumi package add`). package.json `main` points here, and the
 * Pulumi language host exposes every ComponentResource exported from this module.
 */
export { DatabaseEndpoint, DatabaseEndpointArgs, DatabaseTargetArgs, IpAddressType } from "./databaseEndpoint";
