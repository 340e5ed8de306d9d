import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { checkRestartSettings, readDatabaseHostname, readInstanceIds, readRestartCommand, readRestartTimeoutMinutes } from "../model/certificates";
import { readDatabasePort, readSelfManagedAddresses } from "../model/endpoint";
import { RESTART_TIMEOUT_MINUTES } from "../model/limits";
import { certificateExpiryNotice } from "../certificateExpiry";
import { manualRestartHook, SECRET_KEYS, ssmRestartHook, tlsDirectory } from "../hooks/ssmRestart";
import { optionalEnum, patterns, Problems, show } from "../validation";
import { throwIfInvalidArgs } from "./support/argsError";
import { checkedInput } from "./support/knownNowOrLater";
import { stampedTags } from "./support/tags";
import { DATABASE_ENGINES, DatabaseEngine } from "../enums";

/** Settings of the server certificates a {@link DatabaseCertificate} issues. */
export const SERVER_CERTIFICATE = {
    keyAlgorithm: "RSA",
    rsaBits: 2048,
    /** 825 days: the longest validity Apple platforms accept for a TLS server certificate, whatever its CA. */
    validityHours: 19_800,
    /**
     * 90 days: the first deployment in that window re-issues the certificate (and runs the restart hook); with
     * no deployment in it, the certificate expires. Deployments warn from 30 days before the window opens.
     */
    earlyRenewalHours: 2_160,
    organization: "db-endpoints",
} as const;

/** A server certificate may authenticate a TLS server and nothing else. */
export const SERVER_ALLOWED_USES = ["digital_signature", "key_encipherment", "server_auth"] as const;

/** X.509 caps a subject common name at 64 characters. */
const MAX_COMMON_NAME = 64;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

/** Arguments of a {@link DatabaseCertificate}. */
export interface DatabaseCertificateArgs {
    /** PEM certificate of the CA that signs the server certificate (the stack CA's issuing generation). */
    caCertificatePem: pulumi.Input<string>;
    /** PEM private key of that CA. Pass it as a secret. */
    caPrivateKeyPem: pulumi.Input<string>;
    /** Private IPv4 addresses of the database server(s); each is an IP address name in the certificate. */
    addresses: string[];
    /** Port the database listens on (names the directory the restart hook installs the files in). */
    port: number;
    /** The database's DNS name inside the VPC; named in the certificate when given. */
    hostname?: pulumi.Input<string>;
    /**
     * Every hostname a client can use to reach the database through an endpoint: custom hostnames and the
     * load balancers' DNS names. All are named in the certificate; adding or renaming one re-issues it.
     */
    endpointHostnames: pulumi.Input<pulumi.Input<string>[]>;
    /** The database engine; required with `instanceIds` (it decides the group that may read the installed files, the default restart command, and for MySQL the max_connect_errors option file and AppArmor rules). */
    engine?: DatabaseEngine;
    /**
     * EC2 instances the database runs on (at most 50). After the certificate is (re)issued, an SSM Run Command
     * installs it on each, one at a time, and runs the restart command. Without them the database must load
     * the certificate by hand, and the component warns.
     */
    instanceIds?: string[];
    /**
     * Shell command run as root after the files are installed, replacing the engine's default (PostgreSQL:
     * `SELECT pg_reload_conf()` as the postgres user; MySQL: restart of the mysqld, mysql or mariadb service).
     */
    restartCommand?: string;
    /** Bound on the restart command on all instances, minutes (1..180). Default 10. */
    restartTimeoutMinutes?: number;
    /**
     * Name of the Secrets Manager secret holding certificate, key and CA chain as JSON
     * (`certificate`, `privateKey`, `caCertificate`). Default `<project>/<stack>/<name>/tls`.
     */
    secretName?: pulumi.Input<string>;
    /** Tags added to the secret. */
    tags?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
}

/** The validated, plain parts of {@link DatabaseCertificateArgs}. */
export interface DatabaseCertificatePlan {
    addresses: string[];
    port: number;
    /** `hostname`, or an output that resolves to it once it passed the rule. */
    hostname?: pulumi.Input<string>;
    engine?: DatabaseEngine;
    instanceIds: string[];
    restartCommand?: string;
    restartTimeoutMinutes: number;
    /** `self-managed database 10.0.3.17:5432`, for messages. */
    description: string;
}

const COMPONENT_TYPE = "db-endpoints:index:DatabaseCertificate";

/** Checks the arguments known at declaration; throws `pulumi.InputPropertiesError` naming every bad one. */
export function planDatabaseCertificate(name: string, args: DatabaseCertificateArgs): DatabaseCertificatePlan {
    const problems = new Problems();
    const owner = { component: "DatabaseCertificate", name };
    if (args.caCertificatePem === undefined || args.caCertificatePem === null) problems.error("caCertificatePem", "is required");
    if (args.caPrivateKeyPem === undefined || args.caPrivateKeyPem === null) problems.error("caPrivateKeyPem", "is required");
    // The same rules as the database settings of a self-managed endpoint (infra/model).
    const addresses =
        args.addresses === undefined || args.addresses === null
            ? (problems.error("addresses", "is required (the private IPv4 addresses of the database)"), [])
            : readSelfManagedAddresses(problems, "addresses", args.addresses).addresses;
    const port = readDatabasePort(problems, "port", args.port, "self-managed");
    const hostname = checkedInput<string>(problems, owner, "hostname", args.hostname, readDatabaseHostname);
    if (args.endpointHostnames === undefined || args.endpointHostnames === null) problems.error("endpointHostnames", "is required");
    const engine = optionalEnum(problems, "engine", args.engine, DATABASE_ENGINES);
    const instanceIds = readInstanceIds(problems, "instanceIds", args.instanceIds);
    const restartCommand = readRestartCommand(problems, "restartCommand", args.restartCommand);
    const restartTimeoutMinutes = readRestartTimeoutMinutes(problems, "restartTimeoutMinutes", args.restartTimeoutMinutes);
    checkRestartSettings(problems, instanceIds, engine, {
        instanceIds: "instanceIds",
        engine: "engine",
        restartCommand: args.restartCommand === undefined ? undefined : "restartCommand",
        restartTimeoutMinutes: args.restartTimeoutMinutes === undefined ? undefined : "restartTimeoutMinutes",
    });
    if (typeof args.secretName === "string" && !SECRET_NAME.test(args.secretName)) {
        problems.error("secretName", `${show(args.secretName)} is not a Secrets Manager secret name (1-512 of A-Z a-z 0-9 / _ + = . @ -)`);
    }
    throwIfInvalidArgs(problems, "DatabaseCertificate", name);
    return {
        addresses,
        port: port!,
        hostname,
        engine,
        instanceIds: instanceIds ?? [],
        restartCommand,
        restartTimeoutMinutes: restartTimeoutMinutes ?? RESTART_TIMEOUT_MINUTES.selfManagedDefault,
        description: `self-managed database ${addresses.join(",")}:${port}`,
    };
}

/** The names a server certificate carries. */
export interface CertificateNames {
    /** DNS names: the internal hostname and every endpoint hostname, lower case, de-duplicated, sorted. */
    dnsNames: string[];
    /** IP addresses: the database's private addresses, sorted. */
    ipAddresses: string[];
    /** Subject common name, for clients that still read it: the first endpoint hostname that fits. */
    commonName: string;
}

/**
 * The names of a database's server certificate. Sorted, so that the certificate is re-issued only when the
 * set of names changes. The common name is the first endpoint hostname of at most 64 characters (old MySQL
 * clients verify it instead of the alternative names), else the internal hostname, else the first address.
 * Throws when a hostname is not a DNS name (a certificate request would fail later and less clearly).
 */
export function certificateNames(hostname: string | undefined, endpointHostnames: string[], addresses: string[]): CertificateNames {
    const given = [...endpointHostnames, ...(hostname ? [hostname] : [])].map((h) => h.toLowerCase().replace(/\.$/, ""));
    for (const h of given) {
        if (!patterns.hostname.test(h)) throw new Error(`${show(h)} is not a DNS name a certificate can carry`);
    }
    const dnsNames = [...new Set(given)].sort();
    const ipAddresses = [...new Set(addresses)].sort((a, b) => {
        const pa = a.split(".").map(Number);
        const pb = b.split(".").map(Number);
        for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
        return 0;
    });
    const fits = (h: string) => h.length <= MAX_COMMON_NAME;
    const commonName = given.find(fits) ?? ipAddresses[0];
    return { dnsNames, ipAddresses, commonName };
}

/**
 * A self-managed database's TLS server certificate, signed by the stack's CA and naming the database's
 * internal hostname and addresses and every endpoint hostname that reaches it, so that clients verify it in full. The
 * certificate, its key and the CA certificate are stored as one JSON secret in AWS Secrets Manager; each new
 * secret version runs the restart hook (SSM Run Command on `instanceIds`), or warns when there is none.
 */
export class DatabaseCertificate extends pulumi.ComponentResource {
    /** The server certificate, PEM. */
    public readonly certificatePem: pulumi.Output<string>;
    /** DNS names in the certificate. */
    public readonly dnsNames: pulumi.Output<string[]>;
    /** IP addresses in the certificate. */
    public readonly ipAddresses: pulumi.Output<string[]>;
    /** When the certificate expires (RFC 3339); a deployment in its last 90 days re-issues it. */
    public readonly validityEndTime: pulumi.Output<string>;
    /** ARN of the Secrets Manager secret holding certificate, key and CA (JSON). */
    public readonly secretArn: pulumi.Output<string>;
    /** Name of that secret. */
    public readonly secretName: pulumi.Output<string>;
    /** The secret version holding the current certificate. */
    public readonly secretVersionId: pulumi.Output<string>;
    /** How the database loads a new certificate: `ssm-run-command` (on `restartInstanceIds`) or `manual`. */
    public readonly restartMethod: pulumi.Output<string>;
    /** Instances the restart hook runs on (empty: restart by hand). */
    public readonly restartInstanceIds: pulumi.Output<string[]>;
    /** Directory on the instances the restart hook installs `server.crt`, `server.key`, `ca.crt` in (with an engine). */
    public readonly tlsDirectory: pulumi.Output<string | undefined>;

    constructor(name: string, args: DatabaseCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
        const plan = planDatabaseCertificate(name, args);
        super(COMPONENT_TYPE, name, {}, opts);
        const child = { parent: this };

        const names = pulumi
            .all([plan.hostname, args.endpointHostnames])
            .apply(([hostname, hostnames]) => certificateNames(hostname, hostnames as string[], plan.addresses));

        const key = new tls.PrivateKey(`${name}-key`, { algorithm: SERVER_CERTIFICATE.keyAlgorithm, rsaBits: SERVER_CERTIFICATE.rsaBits }, child);
        const privateKeyPem = pulumi.secret(key.privateKeyPem);
        const request = new tls.CertRequest(
            `${name}-csr`,
            {
                privateKeyPem,
                dnsNames: names.dnsNames,
                ipAddresses: names.ipAddresses,
                subject: { commonName: names.commonName, organization: SERVER_CERTIFICATE.organization },
            },
            child,
        );
        const certificate = new tls.LocallySignedCert(
            `${name}-cert`,
            {
                certRequestPem: request.certRequestPem,
                caCertPem: args.caCertificatePem,
                caPrivateKeyPem: pulumi.secret(args.caPrivateKeyPem),
                allowedUses: [...SERVER_ALLOWED_USES],
                validityPeriodHours: SERVER_CERTIFICATE.validityHours,
                earlyRenewalHours: SERVER_CERTIFICATE.earlyRenewalHours,
            },
            child,
        );
        // Nothing renews the certificate between deployments: say so from before its renewal window opens.
        certificate.validityEndTime.apply((end) => {
            const notice = certificateExpiryNotice(
                `the server certificate of the ${plan.description} (${name}-cert)`,
                end,
                SERVER_CERTIFICATE.earlyRenewalHours,
                "redeploy",
            );
            if (notice) pulumi.log.warn(notice, this);
        });

        const tags = stampedTags(args.tags, { "db-endpoints:database": `${plan.addresses.join(",")}:${plan.port}` });
        const secret = new aws.secretsmanager.Secret(
            `${name}-secret`,
            {
                name: args.secretName ?? `${pulumi.getProject()}/${pulumi.getStack()}/${name}/tls`,
                description: `db-endpoints: TLS server certificate, private key and CA certificate of the ${plan.description}`,
                // The key also lives in the Pulumi state, so a recovery window protects nothing; deleting at once
                // removes the copy and frees the name for a database that comes back.
                recoveryWindowInDays: 0,
                tags,
            },
            child,
        );

        const hook =
            plan.instanceIds.length > 0
                ? ssmRestartHook(`${name}-restart`, {
                      description: plan.description,
                      instanceIds: plan.instanceIds,
                      engine: plan.engine!,
                      port: plan.port,
                      restartCommand: plan.restartCommand,
                      timeoutMinutes: plan.restartTimeoutMinutes,
                  })
                : manualRestartHook(`${name}-restart-needed`, { description: plan.description, secretName: secret.name });
        const version = new aws.secretsmanager.SecretVersion(
            `${name}-secret-version`,
            {
                secretId: secret.arn,
                secretString: pulumi.secret(
                    pulumi.all([certificate.certPem, privateKeyPem, args.caCertificatePem]).apply(([cert, privateKey, ca]) =>
                        JSON.stringify({ [SECRET_KEYS.certificate]: cert, [SECRET_KEYS.privateKey]: privateKey, [SECRET_KEYS.caCertificate]: ca }),
                    ),
                ),
            },
            { parent: this, hooks: { afterCreate: [hook], afterUpdate: [hook] } },
        );

        if (plan.instanceIds.length === 0) {
            pulumi.log.warn(
                `database.instanceIds is not set for the ${plan.description}: after its certificate is issued or re-issued ` +
                    `(new endpoint, renamed endpoint, renewal), install it from the secret and restart the database yourself; ` +
                    `until then clients verifying the certificate by an endpoint hostname fail`,
                this,
            );
        }

        this.certificatePem = certificate.certPem;
        this.dnsNames = names.dnsNames;
        this.ipAddresses = names.ipAddresses;
        this.validityEndTime = certificate.validityEndTime;
        this.secretArn = secret.arn;
        this.secretName = secret.name;
        this.secretVersionId = version.versionId;
        this.restartMethod = pulumi.output(plan.instanceIds.length > 0 ? "ssm-run-command" : "manual");
        this.restartInstanceIds = pulumi.output(plan.instanceIds);
        this.tlsDirectory = pulumi.output(plan.engine ? tlsDirectory(plan.engine, plan.port) : undefined);
        this.registerOutputs({
            certificatePem: this.certificatePem,
            dnsNames: this.dnsNames,
            ipAddresses: this.ipAddresses,
            validityEndTime: this.validityEndTime,
            secretArn: this.secretArn,
            secretName: this.secretName,
            secretVersionId: this.secretVersionId,
            restartMethod: this.restartMethod,
            restartInstanceIds: this.restartInstanceIds,
            tlsDirectory: this.tlsDirectory,
        });
    }
}
