/**
 * Certificate validation for the product: the private CA (one per stack, in generations so it can be
 * rotated), a server certificate per self-managed database naming every endpoint hostname that reaches it and
 * the DNS name of each load balancer it is reached through (a shared load balancer's once, whatever the number
 * of its endpoints that reach the database), and per-endpoint outputs that tell a client how to verify the
 * certificate through the endpoint.
 */
import * as pulumi from "@pulumi/pulumi";
import { renewalStartsAt } from "../../certificateExpiry";
import { rdsConnectionInfo, selfManagedConnectionInfo } from "../../connection";
import { RdsRestartPolicy } from "../../enums";
import type { StackSpec } from "../../model/spec";
import { CA_DEFAULTS, CertificateAuthority } from "../certificateAuthority";
import { DatabaseCertificate, SERVER_CERTIFICATE } from "../databaseCertificate";
import { DatabaseEndpoint } from "../databaseEndpoint";
import type { EndpointTls, ServerCertificateOutput, StackOutputs } from "./outputs";

/** The outputs of certificate validation. */
export type TlsOutputs = Pick<StackOutputs, "caCertificate" | "certificateAuthority" | "certificates" | "tls">;

/** The CA's subject common name: unique per project, stack and generation, within X.509's 64 characters. */
export function caCommonName(project: string, stack: string, generation: number): string {
    const suffix = ` CA ${generation}`;
    return `${`${project}/${stack}`.slice(0, 64 - suffix.length)}${suffix}`;
}

/** Component name of a CA generation. */
export function caName(generation: number): string {
    return `ca-${generation}`;
}

/**
 * Builds the CA generations, the self-managed databases' certificates and the TLS outputs, given the
 * endpoints already built from the same spec. Returns the certificate components too, each under the names of
 * the endpoints that reach its database, for what must wait until that database has loaded its certificate.
 */
export function buildCertificates(
    spec: StackSpec,
    endpoints: Record<string, DatabaseEndpoint>,
    opts?: pulumi.ComponentResourceOptions,
): { outputs: TlsOutputs; certificates: DatabaseCertificate[]; byEndpoint: Record<string, DatabaseCertificate> } {
    const authorities = spec.certificateAuthority.generations.map(
        (generation) =>
            [generation, new CertificateAuthority(caName(generation), { commonName: caCommonName(pulumi.getProject(), pulumi.getStack(), generation) }, opts)] as const,
    );
    const issuer = authorities.find(([g]) => g === spec.certificateAuthority.issuer)![1];

    const certificates = new Map<string, { db: (typeof spec.selfManagedDatabases)[number]; certificate: DatabaseCertificate }>();
    for (const db of spec.selfManagedDatabases) {
        const reaching = db.endpoints.map((n) => endpoints[n]);
        const certificate = new DatabaseCertificate(
            db.name,
            {
                caCertificatePem: issuer.certificatePem,
                caPrivateKeyPem: issuer.privateKeyPem,
                addresses: db.addresses,
                port: db.port,
                hostname: db.hostname,
                endpointHostnames: pulumi.all(reaching.flatMap((e) => [e.hostname, e.loadBalancerDnsName])),
                engine: db.engine,
                instanceIds: db.instanceIds.length > 0 ? db.instanceIds : undefined,
                restartCommand: db.restartCommand,
                restartTimeoutMinutes: db.instanceIds.length > 0 ? db.restartTimeoutMinutes : undefined,
                tags: spec.tags,
            },
            opts,
        );
        for (const name of db.endpoints) certificates.set(name, { db, certificate });
    }

    const tls: Record<string, pulumi.Output<EndpointTls>> = {};
    for (const endpointSpec of spec.endpoints) {
        const e = endpoints[endpointSpec.name];
        const database = endpointSpec.database;
        if (database.kind === "rds") {
            const restart = database.restart ?? RdsRestartPolicy.WhenPending;
            tls[endpointSpec.name] = pulumi
                .all([e.rdsEngine, e.rdsAddress, e.rdsCaCertIdentifier, e.hostname, e.loadBalancerDnsName, e.publicAddresses, e.port])
                .apply(([engine, rdsAddress, ca, endpointHostname, loadBalancerDnsName, publicAddresses, port]) =>
                    rdsConnectionInfo({
                        engine: engine ?? "",
                        rdsAddress: rdsAddress ?? "",
                        rdsCaCertIdentifier: ca ?? "",
                        endpointHostname,
                        loadBalancerDnsName,
                        publicAddresses,
                        port,
                        restart,
                    }),
                );
            continue;
        }
        const { db, certificate } = certificates.get(endpointSpec.name)!;
        tls[endpointSpec.name] = pulumi
            .output({
                endpointHostname: e.hostname,
                port: e.port,
                dnsNames: certificate.dnsNames,
                ipAddresses: certificate.ipAddresses,
                expiresAt: certificate.validityEndTime,
                secretArn: certificate.secretArn,
                secretName: certificate.secretName,
                restartMethod: certificate.restartMethod,
                restartInstanceIds: certificate.restartInstanceIds,
            })
            .apply((f) =>
                selfManagedConnectionInfo({
                    engine: db.engine,
                    endpointHostname: f.endpointHostname,
                    port: f.port,
                    certificateNames: [...f.dnsNames, ...f.ipAddresses],
                    certificateExpiresAt: f.expiresAt,
                    secretArn: f.secretArn,
                    secretName: f.secretName,
                    restartMethod: f.restartMethod,
                    restartInstanceIds: f.restartInstanceIds,
                }),
            );
    }

    const caCertificate = pulumi
        .all(authorities.map(([, ca]) => ca.certificatePem))
        .apply((pems) => pems.map((p) => `${p.trim()}\n`).join(""));
    const certificateAuthority = pulumi
        .all(
            authorities.map(([generation, ca]) =>
                ca.validityEndTime.apply((expiresAt) => ({ generation, expiresAt, renewalStartsAt: renewalStartsAt(expiresAt, CA_DEFAULTS.earlyRenewalHours) })),
            ),
        )
        .apply((generations) => ({ issuer: spec.certificateAuthority.issuer, generations }));
    const issued = [...new Set([...certificates.values()].map((c) => c.certificate))];
    const expiries: Record<string, pulumi.Output<ServerCertificateOutput>> = {};
    for (const db of spec.selfManagedDatabases) {
        const { certificate } = certificates.get(db.endpoints[0])!;
        expiries[db.name] = pulumi.all([certificate.validityEndTime, certificate.secretName]).apply(([expiresAt, secretName]) => ({
            database: `${db.addresses.join(",")}:${db.port}`,
            endpoints: db.endpoints,
            expiresAt,
            renewalStartsAt: renewalStartsAt(expiresAt, SERVER_CERTIFICATE.earlyRenewalHours),
            secretName,
        }));
    }
    const byEndpoint = Object.fromEntries([...certificates].map(([endpoint, { certificate }]) => [endpoint, certificate]));
    return { outputs: { caCertificate, certificateAuthority, certificates: expiries, tls }, certificates: issued, byEndpoint };
}
