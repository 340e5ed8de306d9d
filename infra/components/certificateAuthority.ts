import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { certificateExpiryNotice } from "../certificateExpiry";
import { optionalInteger, Problems, show } from "../validation";
import { throwIfInvalidArgs } from "./support/argsError";
import { CA_VALIDITY_HOURS } from "../model/limits";

/** Defaults of a {@link CertificateAuthority}. */
export const CA_DEFAULTS = {
    keyAlgorithm: "RSA",
    rsaBits: 4096,
    /** Ten years. */
    validityHours: 87_600,
    /** One year: from then on a deployment wants to renew it and, the CA being protected, fails instead. */
    earlyRenewalHours: 8_760,
    organization: "db-endpoints",
} as const;

/** What the CA certificate may be used for: signing certificates and CRLs, nothing else. */
export const CA_ALLOWED_USES = ["cert_signing", "crl_signing"] as const;

/** Arguments of a {@link CertificateAuthority}. */
export interface CertificateAuthorityArgs {
    /** Common name of the CA certificate, e.g. `db-endpoints acme/prod CA 1`. Changing it replaces the CA. */
    commonName: pulumi.Input<string>;
    /** Organization in the CA certificate's subject. Default `db-endpoints`. Changing it replaces the CA. */
    organization?: pulumi.Input<string>;
    /** How long the CA certificate is valid, in hours (24..876000). Default 87600 (ten years). */
    validityHours?: number;
    /**
     * Hours before the CA certificate expires from which a deployment plans to renew (replace) it. The CA is
     * protected, so that deployment fails instead, long before expiry: the signal to renew or rotate it on
     * purpose (see the README, "Rotating the CA"). Default 8760 (one year); must be less than `validityHours`.
     */
    earlyRenewalHours?: number;
    /**
     * Protect the key and the certificate against deletion and replacement: replacing them would break every
     * client that trusts the CA. Default true.
     */
    protect?: boolean;
}

const COMPONENT_TYPE = "db-endpoints:index:CertificateAuthority";

/** Validated, plain settings of a CA. */
export interface CertificateAuthorityPlan {
    validityHours: number;
    earlyRenewalHours: number;
    protect: boolean;
}

/** Checks the plain arguments; throws `pulumi.InputPropertiesError` naming every bad one. */
export function planCertificateAuthority(name: string, args: CertificateAuthorityArgs): CertificateAuthorityPlan {
    const problems = new Problems();
    if (args.commonName === undefined || args.commonName === null || args.commonName === "") {
        problems.error("commonName", "is required (the CA certificate's subject common name)");
    }
    const validityHours =
        optionalInteger(problems, "validityHours", args.validityHours, CA_VALIDITY_HOURS.min, CA_VALIDITY_HOURS.max) ?? CA_DEFAULTS.validityHours;
    const earlyRenewalHours =
        optionalInteger(problems, "earlyRenewalHours", args.earlyRenewalHours, 0, CA_VALIDITY_HOURS.max) ?? CA_DEFAULTS.earlyRenewalHours;
    if (earlyRenewalHours >= validityHours) {
        problems.error(
            "earlyRenewalHours",
            `${earlyRenewalHours} is not less than validityHours (${validityHours}); the CA would be due for renewal as soon as it is created`,
        );
    }
    if (args.protect !== undefined && typeof args.protect !== "boolean") {
        problems.error("protect", `${show(args.protect)} is not true or false`);
    }
    throwIfInvalidArgs(problems, "CertificateAuthority", name);
    return { validityHours, earlyRenewalHours, protect: args.protect ?? true };
}

/**
 * A private certificate authority (one per stack): an RSA key and a self-signed CA
 * certificate that may only sign certificates and CRLs, valid for ten years. Both are protected by default,
 * because replacing them would break every client that trusts the CA; rotating the CA is a deliberate,
 * documented procedure. The private key is only ever exposed as a secret output.
 */
export class CertificateAuthority extends pulumi.ComponentResource {
    /** The CA certificate, PEM: what clients trust (`sslrootcert`, `--ssl-ca`). */
    public readonly certificatePem: pulumi.Output<string>;
    /** The CA's private key, PEM. Secret. */
    public readonly privateKeyPem: pulumi.Output<string>;
    /** Algorithm of the CA key (`RSA`). */
    public readonly keyAlgorithm: pulumi.Output<string>;
    /** When the CA certificate expires (RFC 3339). */
    public readonly validityEndTime: pulumi.Output<string>;

    constructor(name: string, args: CertificateAuthorityArgs, opts?: pulumi.ComponentResourceOptions) {
        const plan = planCertificateAuthority(name, args);
        super(COMPONENT_TYPE, name, {}, opts);
        const guarded = { parent: this, protect: plan.protect };

        const key = new tls.PrivateKey(`${name}-key`, { algorithm: CA_DEFAULTS.keyAlgorithm, rsaBits: CA_DEFAULTS.rsaBits }, guarded);
        const privateKeyPem = pulumi.secret(key.privateKeyPem);
        const certificate = new tls.SelfSignedCert(
            `${name}-cert`,
            {
                privateKeyPem,
                isCaCertificate: true,
                // The CA only signs server certificates. Asked for as path length 0; the tls provider (terraform-provider-tls)
                // may leave a zero limit out of the certificate, so nothing relies on it: the key stays a secret in state.
                maxPathLength: 0,
                setSubjectKeyId: true,
                allowedUses: [...CA_ALLOWED_USES],
                validityPeriodHours: plan.validityHours,
                earlyRenewalHours: plan.earlyRenewalHours,
                subject: { commonName: args.commonName, organization: args.organization ?? CA_DEFAULTS.organization },
            },
            guarded,
        );
        // The renewal window makes every deployment fail (the certificate is protected): warn before it opens.
        certificate.validityEndTime.apply((end) => {
            const notice = certificateExpiryNotice(`the CA certificate ${name}-cert`, end, plan.earlyRenewalHours, "protected-ca");
            if (notice) pulumi.log.warn(notice, this);
        });

        this.certificatePem = certificate.certPem;
        this.privateKeyPem = privateKeyPem;
        this.keyAlgorithm = key.algorithm;
        this.validityEndTime = certificate.validityEndTime;
        this.registerOutputs({
            certificatePem: this.certificatePem,
            privateKeyPem: this.privateKeyPem,
            keyAlgorithm: this.keyAlgorithm,
            validityEndTime: this.validityEndTime,
        });
    }
}
