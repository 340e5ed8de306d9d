/**
 * `verify`: checks every endpoint the outputs name, from where it runs, one check after another, reporting
 * each result as soon as it is known. Per endpoint: the hostname resolves; per address, TCP connects and the
 * database negotiates TLS in its protocol; the certificate chains to the trusted CA, names the host a client
 * verifies, and is not about to expire; with AWS credentials, the load balancer has a healthy target and each
 * integration's user logs in, can read what it was granted and cannot create anything.
 */
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { checkChain, checkExpiry, checkName, Finding, parseBundle, Trust } from "./certificates";
import { checkIntegrationLogin, readIntegrationSecret } from "./logins";
import { ConnectError, connectTcp, handshake, Handshake, hostPort, Lookup, ResolvedAddress } from "./network";
import { Engine, NegotiationError } from "./protocols";
import type { CheckName, CheckResult } from "./report";
import type { EndpointTarget } from "./stackOutputs";
import { checkTargetHealth, regionOfArn } from "./targets";
import { RDS_CA_BUNDLE } from "../connection";

/** Defaults of the options. */
export const VERIFY_DEFAULTS = {
    /** Days before a certificate's expiry from which the expiry check fails. */
    expiryWindowDays: 30,
    /** Bound on each network step (connect, negotiation, handshake, login), in milliseconds. */
    timeoutMs: 10_000,
} as const;

export interface VerifyOptions {
    /** The stack CA's PEM bundle (the `caCertificate` output): what self-managed databases are verified against. */
    caCertificate?: string;
    /** AWS's RDS CA bundle, PEM, and the file it was read from: what RDS databases are verified against. */
    rdsCaBundle?: { pem: string; file: string };
    expiryWindowDays: number;
    timeoutMs: number;
    /** Overrides the engine the outputs give (or that is detected). */
    engine?: Engine;
    /** Check the target group's health and log in as each integration (needs AWS credentials). */
    aws: boolean;
}

/** What the checks reach the world through; tests replace each. */
export interface VerifyDeps {
    lookup: Lookup;
    now: () => Date;
    /** ELBv2 and Secrets Manager clients for a region (created once per region by the caller). */
    elbv2: (region: string | undefined) => ElasticLoadBalancingV2Client;
    secretsManager: (region: string | undefined) => SecretsManagerClient;
    /** A slow step starts (`resolving ...`, `connecting to ...`); called before it, for a progress display. */
    progress: (endpoint: string, step: string) => void;
    /** Each result, as soon as it is known. */
    report: (result: CheckResult) => void;
}

/** Runs the checks of every endpoint in turn; returns every result. */
export async function verifyEndpoints(endpoints: EndpointTarget[], options: VerifyOptions, deps: VerifyDeps): Promise<CheckResult[]> {
    const results: CheckResult[] = [];
    for (const endpoint of endpoints) {
        await verifyEndpoint(endpoint, options, {
            ...deps,
            report: (r) => {
                results.push(r);
                deps.report(r);
            },
        });
    }
    return results;
}

/** The CA bundle a client of `endpoint` trusts, or why there is none. */
function trustOf(endpoint: EndpointTarget, options: VerifyOptions): Trust | { missing: string } {
    if (endpoint.tls.certificateIssuer === "stack-ca") {
        return options.caCertificate
            ? { pem: options.caCertificate, label: "the stack's CA (caCertificate output)", issuer: "stack-ca" }
            : { missing: "the outputs have no caCertificate to verify the chain against" };
    }
    return options.rdsCaBundle
        ? { pem: options.rdsCaBundle.pem, label: `the RDS CA bundle ${options.rdsCaBundle.file}`, issuer: "aws-rds" }
        : {
              missing:
                  `an RDS database's certificate is verified against AWS's RDS CA bundle: get it (${endpoint.tls.getCa || `curl -fsSo ${RDS_CA_BUNDLE.file} ${RDS_CA_BUNDLE.url}`}) ` +
                  "and pass it with --rds-ca-bundle FILE",
          };
}

/** One endpoint's checks. */
export async function verifyEndpoint(endpoint: EndpointTarget, options: VerifyOptions, deps: VerifyDeps): Promise<void> {
    const name = endpoint.name;
    const emit = (check: CheckName, f: Finding, extra: Partial<CheckResult> = {}) =>
        deps.report({ endpoint: name, check, status: f.status, message: f.message, ...extra, ...(f.details ? { details: f.details } : {}) });

    // --- The hostname.
    deps.progress(name, `resolving ${endpoint.hostname}`);
    let addresses: ResolvedAddress[];
    try {
        addresses = await deps.lookup(endpoint.hostname);
        if (addresses.length === 0) throw new Error("no address");
    } catch (e) {
        emit("dns", { status: "fail", message: `${endpoint.hostname} does not resolve (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): ${dnsAdvice(endpoint)}` });
        emit("tcp", { status: "skip", message: "no address to connect to" });
        return;
    }
    const shown = addresses.map((a) => a.address).join(", ");
    const v4 = addresses.filter((a) => a.family === 4).map((a) => a.address);
    const stray = endpoint.publicAddresses.length > 0 ? v4.filter((a) => !endpoint.publicAddresses.includes(a)) : [];
    if (stray.length > 0) {
        emit("dns", {
            status: "fail",
            message: `${endpoint.hostname} resolves to ${shown}, not only to the endpoint's Elastic IPs (${endpoint.publicAddresses.join(", ")}): it points somewhere else; point it at ${endpoint.loadBalancerDnsName}`,
            details: { addresses: addresses.map((a) => a.address) },
        });
    } else {
        emit("dns", { status: "pass", message: `${endpoint.hostname} resolves to ${shown}`, details: { addresses: addresses.map((a) => a.address) } });
    }

    // --- Per address: TCP, then TLS as the database negotiates it, then the certificate (once per distinct one).
    const trust = trustOf(endpoint, options);
    const engine = options.engine ?? endpoint.engine;
    const checkedCertificates = new Set<string>();
    let verified: { address: string; engine: Engine } | undefined;
    let certificateFailed = false;
    for (const a of addresses) {
        const where = hostPort(a.address, endpoint.port);
        deps.progress(name, `connecting to ${where}`);
        let socket;
        try {
            const connected = await connectTcp(a.address, endpoint.port, options.timeoutMs);
            socket = connected.socket;
            emit("tcp", { status: "pass", message: `${where} accepts connections (${connected.ms} ms)` }, { address: a.address });
        } catch (e) {
            const err = e as ConnectError;
            const ipv6Unreachable = a.family === 6 && ["ENETUNREACH", "EHOSTUNREACH", "EADDRNOTAVAIL", "EAFNOSUPPORT"].includes(err.code);
            emit(
                "tcp",
                ipv6Unreachable
                    ? { status: "warn", message: `${where}: this machine has no IPv6 route (${err.code}); clients with IPv6 connect there` }
                    : { status: "fail", message: `${where} does not accept connections (${err.code}: ${err.message}): ${tcpAdvice(err.code, endpoint)}` },
                { address: a.address },
            );
            continue;
        }

        deps.progress(name, `asking ${where} for TLS`);
        let h: Handshake;
        try {
            h = await handshake(socket, engine, "pem" in trust ? trust.pem : undefined, endpoint.tls.verifyHostname, options.timeoutMs);
        } catch (e) {
            const plaintext = e instanceof NegotiationError && e.kind === "plaintext";
            emit("tls", { status: "fail", message: `${where}: ${(e as Error).message}${plaintext ? "; clients that require TLS cannot connect" : ""}` }, { address: a.address });
            certificateFailed = true;
            continue;
        }
        const detected = h.negotiated.detected ? ` (engine told apart by who spoke first: ${h.negotiated.engine})` : "";
        emit(
            "tls",
            {
                status: "pass",
                message: `${where}: ${h.negotiated.summary}; ${h.protocol} handshake (${h.cipher})${detected}`,
                details: { engine: h.negotiated.engine, protocol: h.protocol, cipher: h.cipher },
            },
            { address: a.address },
        );

        const fingerprint = h.leaf.fingerprint256;
        if (checkedCertificates.has(fingerprint)) {
            // Same certificate as an address checked before: its checks stand.
            if (!certificateFailed) verified ??= { address: a.address, engine: h.negotiated.engine };
            continue;
        }
        checkedCertificates.add(fingerprint);
        const findings: [CheckName, Finding][] = [
            ["chain", "missing" in trust ? { status: "fail", message: trust.missing } : checkChain(h.authorizationError, h.leaf, h.sent, trust)],
            ["name", checkName(h.leaf, endpoint.tls.verifyHostname, endpoint.tls.certificateIssuer)],
            ["expiry", checkExpiry(h.leaf, deps.now(), options.expiryWindowDays, endpoint.tls.certificateIssuer)],
        ];
        for (const [check, f] of findings) emit(check, f, { address: a.address });
        // A login sends a password: only to a server whose certificate verified in full (expiry aside: a
        // certificate inside the warning window is still valid, an expired one fails the login's own TLS).
        if (findings[0][1].status === "pass" && findings[1][1].status === "pass") verified ??= { address: a.address, engine: h.negotiated.engine };
        else certificateFailed = true;
    }

    if (!options.aws) return;

    // --- With AWS credentials: the load balancer's view of the targets.
    if (endpoint.targetGroupArn === undefined) {
        emit("targets", { status: "fail", message: "the outputs have no targetGroupArn (they predate it): run pulumi up, then save the outputs again" });
    } else {
        deps.progress(name, "reading target health");
        emit("targets", await checkTargetHealth(deps.elbv2(regionOfArn(endpoint.targetGroupArn)), endpoint.targetGroupArn));
    }

    // --- Each integration logs in, reads, and cannot create.
    for (const integration of endpoint.integrations) {
        const about = { integration: integration.name };
        if (!verified || !("pem" in trust)) {
            emit("login", { status: "skip", message: `${integration.username}: not tried, since no address passed the TLS checks (a password is only sent to a verified server)` }, about);
            continue;
        }
        deps.progress(name, `reading the secret of ${integration.name}`);
        let secret;
        try {
            secret = await readIntegrationSecret(deps.secretsManager(regionOfArn(integration.secretArn)), integration.secretArn);
        } catch (e) {
            emit("login", { status: "fail", message: `${integration.username}: ${(e as Error).message}` }, about);
            continue;
        }
        deps.progress(name, `logging in as ${secret.username}`);
        const address = verified.address;
        const findings = await checkIntegrationLogin(
            integration,
            secret,
            { address, port: endpoint.port, caPem: trust.pem, verifyHostname: endpoint.tls.verifyHostname, timeoutMs: options.timeoutMs },
            async () => (await connectTcp(address, endpoint.port, options.timeoutMs)).socket,
        );
        for (const f of findings) emit(f.check, { status: f.status, message: f.message }, { ...about, address });
    }
}

function dnsAdvice(endpoint: EndpointTarget): string {
    return endpoint.hostname === endpoint.loadBalancerDnsName
        ? "the load balancer's name should resolve from anywhere; check this machine's DNS"
        : `point it at the load balancer (an alias or CNAME to ${endpoint.loadBalancerDnsName}), or check the endpoint through the load balancer's addresses with --resolve ${endpoint.hostname}=<address>`;
}

function tcpAdvice(code: string, endpoint: EndpointTarget): string {
    const allowlist = endpoint.allowedCidrs.length > 0 ? endpoint.allowedCidrs.join(", ") : "none";
    if (code === "ETIMEDOUT") {
        return `this machine's public address is probably not in the endpoint's allowlist (${allowlist}): the load balancer drops what its security groups do not admit`;
    }
    if (code === "ECONNREFUSED") return "nothing listens there: is the listener on this port, and is this the endpoint's address?";
    return `check the network between here and the endpoint (allowlist: ${allowlist})`;
}

/** The certificates of a PEM bundle, for `--rds-ca-bundle`: throws when the file holds none. */
export function readCaBundle(pem: string, file: string): { pem: string; file: string } {
    const certificates = parseBundle(pem);
    if (certificates.length === 0) throw new Error(`${file} holds no PEM certificate`);
    return { pem, file };
}
