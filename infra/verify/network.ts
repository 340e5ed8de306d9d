/**
 * Reaching an endpoint from where `verify` runs: its hostname's addresses (as the machine's resolver gives
 * them to any client), a TCP connection to one of them, and the TLS handshake the database negotiates on it.
 */
import { X509Certificate } from "node:crypto";
import { promises as dns } from "node:dns";
import * as net from "node:net";
import * as tls from "node:tls";
import { Engine, negotiateTls, Negotiated } from "./protocols";

/** One address of a hostname. */
export interface ResolvedAddress {
    address: string;
    family: 4 | 6;
}

/** Resolves a hostname to its addresses; the real one asks the operating system's resolver, as clients do. */
export type Lookup = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemLookup: Lookup = async (hostname) =>
    (await dns.lookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

/**
 * A lookup that answers `overrides` (hostname to addresses, as `--resolve` gives them) itself and asks `next`
 * for every other name: checks an endpoint through given addresses before its DNS name points at them.
 */
export function overridingLookup(overrides: Record<string, string[]>, next: Lookup): Lookup {
    return async (hostname) => {
        const given = overrides[hostname.toLowerCase()];
        return given ? given.map((address) => ({ address, family: net.isIPv6(address) ? 6 : 4 })) : next(hostname);
    };
}

/** `198.51.100.10:5432`, `[2001:db8::1]:5432`. */
export function hostPort(address: string, port: number): string {
    return net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
}

/** A connection that failed: the system's code (`ECONNREFUSED`, `ETIMEDOUT`, ...) and message. */
export class ConnectError extends Error {
    constructor(
        message: string,
        readonly code: string,
    ) {
        super(message);
    }
}

/** Opens a TCP connection to `address:port` within `timeoutMs`; resolves with the socket and how long it took. */
export function connectTcp(address: string, port: number, timeoutMs: number): Promise<{ socket: net.Socket; ms: number }> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const socket = net.connect({ host: address, port, family: net.isIPv6(address) ? 6 : 4 });
        const timer = setTimeout(() => {
            socket.destroy();
            reject(new ConnectError(`no answer within ${Math.round(timeoutMs / 1000)} s`, "ETIMEDOUT"));
        }, timeoutMs);
        socket.once("connect", () => {
            clearTimeout(timer);
            socket.setNoDelay(true);
            resolve({ socket, ms: Date.now() - started });
        });
        socket.once("error", (e: NodeJS.ErrnoException) => {
            clearTimeout(timer);
            socket.destroy();
            reject(new ConnectError(e.message, e.code ?? "ERROR"));
        });
    });
}

/** What the TLS handshake through the endpoint showed. */
export interface Handshake {
    negotiated: Negotiated;
    /** `TLSv1.3`. */
    protocol: string;
    cipher: string;
    /** The server's certificate. */
    leaf: X509Certificate;
    /** Every certificate the server sent (the leaf first). */
    sent: X509Certificate[];
    /** OpenSSL's verdict on the chain against the trusted bundle; undefined when it verified. */
    authorizationError?: string;
}

/**
 * On an open connection, asks the database for TLS in its protocol, then makes the TLS handshake trusting only
 * `caPem` (never the system's roots), and returns the certificate and OpenSSL's verdict without refusing
 * anything itself: the checks decide. `serverName` is sent as SNI (unless it is an IP address). The socket is
 * closed afterwards: nothing is sent over TLS.
 */
export async function handshake(socket: net.Socket, engine: Engine | undefined, caPem: string | undefined, serverName: string, timeoutMs: number): Promise<Handshake> {
    try {
        const negotiated = await negotiateTls(socket, engine, timeoutMs);
        const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
            const s = tls.connect({
                socket,
                ...(net.isIP(serverName) ? {} : { servername: serverName }),
                // An empty list trusts nothing: without a bundle the chain cannot verify, and the check says why.
                ca: caPem !== undefined ? [caPem] : [],
                rejectUnauthorized: false,
                checkServerIdentity: () => undefined,
            });
            const timer = setTimeout(() => {
                s.destroy();
                reject(new Error(`the TLS handshake did not finish within ${Math.round(timeoutMs / 1000)} s`));
            }, timeoutMs);
            s.once("secureConnect", () => {
                clearTimeout(timer);
                resolve(s);
            });
            s.once("error", (e) => {
                clearTimeout(timer);
                reject(new Error(`the TLS handshake failed: ${e.message}`));
            });
        });
        try {
            const peer = secure.getPeerCertificate(true);
            if (!peer || !peer.raw) throw new Error("the server sent no certificate");
            const sent: X509Certificate[] = [];
            const seen = new Set<string>();
            for (let c: tls.DetailedPeerCertificate | undefined = peer; c && c.raw && !seen.has(c.fingerprint256); c = c.issuerCertificate) {
                seen.add(c.fingerprint256);
                sent.push(new X509Certificate(c.raw));
            }
            const error = secure.authorizationError;
            return {
                negotiated,
                protocol: secure.getProtocol() ?? "TLS",
                cipher: secure.getCipher()?.name ?? "",
                leaf: sent[0],
                sent,
                ...(error ? { authorizationError: typeof error === "string" ? error : ((error as NodeJS.ErrnoException).code ?? error.message) } : {}),
            };
        } finally {
            secure.destroy();
        }
    } finally {
        socket.destroy();
    }
}
