/**
 * How each database asks for TLS inside its own protocol, byte by byte, on a TCP connection already open
 * through the endpoint (which passes TCP through, so the client talks to the database itself):
 *
 * - PostgreSQL: the client sends `SSLRequest` (length 8, code 80877103); the server answers one byte, `S`
 *   (go ahead with the TLS handshake) or `N` (no TLS). Nothing else may come before the handshake: a server, or
 *   something in between, that sends more is refused (the bytes would be read as if they came over TLS).
 * - MySQL and MariaDB: the server speaks first, with its greeting (protocol 10) whose capability flags say
 *   whether it offers TLS (`CLIENT_SSL`); the client answers with the 32-byte SSL request packet (its own
 *   capabilities, including `CLIENT_SSL`), then starts the TLS handshake. A server that refuses the connection
 *   sends an error packet instead of the greeting (a blocked host, too many connections).
 *
 * Without a known engine the server is asked to speak first: a MySQL server greets within moments, a
 * PostgreSQL server waits for the client.
 */
import type { Socket } from "node:net";

export type Engine = "postgres" | "mysql";

/** Why TLS could not be negotiated. `plaintext`: the server answered, and offers no TLS. */
export class NegotiationError extends Error {
    constructor(
        message: string,
        readonly kind: "plaintext" | "refused" | "protocol" | "timeout" | "closed",
    ) {
        super(message);
    }
}

/** PostgreSQL's `SSLRequest`: Int32 length 8, Int32 code 80877103 (1234 in the high 16 bits, 5679 in the low). */
export const POSTGRES_SSL_REQUEST = Buffer.from([0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x2f]);

/** MySQL capability flags this client uses. */
export const MYSQL_CAPABILITIES = {
    longPassword: 0x1,
    longFlag: 0x4,
    protocol41: 0x200,
    ssl: 0x800,
    transactions: 0x2000,
    secureConnection: 0x8000,
    pluginAuth: 0x80000,
} as const;

/** What a MySQL server's greeting says. */
export interface MysqlGreeting {
    protocolVersion: number;
    serverVersion: string;
    connectionId: number;
    /** Capability flags (lower and, when present, upper 16 bits). */
    capabilities: number;
    /** The server's default character set id; undefined in a greeting without it. */
    characterSet?: number;
}

/** A MySQL error packet's code and message. */
export interface MysqlErrorPacket {
    code: number;
    message: string;
}

/**
 * Parses the payload of the first packet a MySQL server sends: a protocol-10 greeting, or an error packet
 * (`0xff`), returned as `{ error }`. Throws {@link NegotiationError} for anything else.
 */
export function parseMysqlGreeting(payload: Buffer): { greeting: MysqlGreeting } | { error: MysqlErrorPacket } {
    if (payload.length === 0) throw new NegotiationError("the server sent an empty packet instead of a MySQL greeting", "protocol");
    if (payload[0] === 0xff) {
        if (payload.length < 3) throw new NegotiationError("the server sent a truncated MySQL error packet", "protocol");
        let text = payload.subarray(3).toString("utf8");
        // Error packets after the greeting carry `#` and a five-character SQL state; a pre-greeting one does not.
        if (text.startsWith("#") && text.length >= 6) text = text.slice(6);
        return { error: { code: payload.readUInt16LE(1), message: text } };
    }
    if (payload[0] !== 10) {
        throw new NegotiationError(`the server's first packet is not a MySQL protocol 10 greeting (it starts with 0x${payload[0].toString(16).padStart(2, "0")})`, "protocol");
    }
    const end = payload.indexOf(0, 1);
    // version NUL, connection id (4), auth data part 1 (8), filler (1), capability flags, lower 16 bits (2)
    if (end < 0 || payload.length < end + 1 + 4 + 8 + 1 + 2) throw new NegotiationError("the server's MySQL greeting is truncated", "protocol");
    const serverVersion = payload.subarray(1, end).toString("utf8");
    let at = end + 1;
    const connectionId = payload.readUInt32LE(at);
    at += 4 + 8 + 1;
    let capabilities = payload.readUInt16LE(at);
    at += 2;
    let characterSet: number | undefined;
    if (payload.length >= at + 5) {
        characterSet = payload[at];
        capabilities = (capabilities | (payload.readUInt16LE(at + 3) << 16)) >>> 0;
    }
    return { greeting: { protocolVersion: 10, serverVersion, connectionId, capabilities, ...(characterSet !== undefined ? { characterSet } : {}) } };
}

/**
 * The SSL request packet (header and payload) a client sends after greeting `g`, with sequence number `sequence`
 * (one more than the greeting's): capability flags (the ones this client uses that the server offers, with
 * `CLIENT_SSL` and `CLIENT_PROTOCOL_41`), the largest packet it accepts (16 MiB), the server's character set,
 * and 23 zero bytes.
 */
export function mysqlSslRequest(g: MysqlGreeting, sequence: number): Buffer {
    const wanted = Object.values(MYSQL_CAPABILITIES).reduce((a, b) => a | b, 0);
    const capabilities = ((wanted & g.capabilities) | MYSQL_CAPABILITIES.ssl | MYSQL_CAPABILITIES.protocol41) >>> 0;
    const packet = Buffer.alloc(4 + 32);
    packet.writeUIntLE(32, 0, 3);
    packet[3] = sequence & 0xff;
    packet.writeUInt32LE(capabilities, 4);
    packet.writeUInt32LE(16 * 1024 * 1024, 8);
    // utf8mb4_general_ci when the greeting has no character set.
    packet[12] = g.characterSet ?? 45;
    return packet;
}

/** Reads bytes from a socket as they arrive, with a timeout per read. */
class Reader {
    private buffered = Buffer.alloc(0);
    private waiting?: () => void;
    private ended?: Error;

    constructor(private readonly socket: Socket) {
        socket.on("data", this.onData);
        socket.once("end", this.onEnd);
        socket.once("close", this.onEnd);
        socket.once("error", this.onError);
    }

    private readonly onData = (chunk: Buffer) => {
        this.buffered = Buffer.concat([this.buffered, chunk]);
        this.waiting?.();
    };
    private readonly onEnd = () => {
        this.ended ??= new NegotiationError("the server closed the connection", "closed");
        this.waiting?.();
    };
    private readonly onError = (e: Error) => {
        this.ended ??= new NegotiationError(`the connection failed: ${e.message}`, "closed");
        this.waiting?.();
    };

    /** Bytes received and not yet read. */
    get pending(): number {
        return this.buffered.length;
    }

    /** Resolves true once at least `n` bytes are buffered, false after `ms` without them; rejects when the connection ends. */
    async wait(n: number, ms: number): Promise<boolean> {
        const deadline = Date.now() + ms;
        while (this.buffered.length < n) {
            if (this.ended) throw this.ended;
            const left = deadline - Date.now();
            if (left <= 0) return false;
            await new Promise<void>((resolve) => {
                const timer = setTimeout(resolve, left);
                this.waiting = () => {
                    clearTimeout(timer);
                    resolve();
                };
            });
            this.waiting = undefined;
        }
        return true;
    }

    async read(n: number, ms: number, what: string): Promise<Buffer> {
        if (!(await this.wait(n, ms))) throw new NegotiationError(`no ${what} from the server within ${Math.round(ms / 1000)} s`, "timeout");
        const out = this.buffered.subarray(0, n);
        this.buffered = this.buffered.subarray(n);
        return out;
    }

    /** Stops listening, leaving the socket to the TLS layer. */
    detach(): void {
        this.socket.off("data", this.onData);
        this.socket.off("end", this.onEnd);
        this.socket.off("close", this.onEnd);
        this.socket.off("error", this.onError);
    }
}

/** What was negotiated before the TLS handshake. */
export interface Negotiated {
    engine: Engine;
    /** True when the engine was told apart by who spoke first (the outputs did not say). */
    detected: boolean;
    /** One phrase for the report: `PostgreSQL accepted SSLRequest`, `MariaDB 10.11.6 offered TLS in its greeting`. */
    summary: string;
}

/** How long a server is given to speak first when the engine is not known. */
export const DETECT_MS = 3000;

/**
 * Asks the server on `socket` for TLS the way `engine` does (told apart by who speaks first when undefined),
 * leaving the socket ready for the TLS handshake. Throws {@link NegotiationError}: `plaintext` when the server
 * offers no TLS, `refused` when it turned the connection away, `protocol` when it does not speak the protocol,
 * `timeout`, `closed`.
 */
export async function negotiateTls(socket: Socket, engine: Engine | undefined, timeoutMs: number): Promise<Negotiated> {
    const reader = new Reader(socket);
    try {
        let detected = false;
        if (engine === undefined) {
            detected = true;
            engine = (await reader.wait(1, Math.min(DETECT_MS, timeoutMs))) ? "mysql" : "postgres";
        }
        const summary = engine === "postgres" ? await postgres(socket, reader, timeoutMs, detected) : await mysql(socket, reader, timeoutMs);
        return { engine, detected, summary };
    } finally {
        reader.detach();
    }
}

async function postgres(socket: Socket, reader: Reader, timeoutMs: number, detected: boolean): Promise<string> {
    socket.write(POSTGRES_SSL_REQUEST);
    const answer = (await reader.read(1, timeoutMs, "answer to SSLRequest"))[0];
    if (answer === 0x53 /* S */) {
        if (reader.pending > 0) {
            throw new NegotiationError(
                `the server sent ${reader.pending} more byte(s) after accepting SSLRequest, before the TLS handshake; a PostgreSQL server never does, so something between here and the database is tampering with the connection`,
                "protocol",
            );
        }
        return "PostgreSQL accepted SSLRequest";
    }
    if (answer === 0x4e /* N */) {
        throw new NegotiationError(
            "the server answered SSLRequest with N: it does not offer TLS (PostgreSQL: ssl = on, ssl_cert_file and ssl_key_file in postgresql.conf, then reload)",
            "plaintext",
        );
    }
    if (answer === 0x45 /* E */) {
        await reader.wait(5, 1000).catch(() => false);
        throw new NegotiationError("the server answered SSLRequest with an error message: it does not support TLS negotiation (PostgreSQL older than 7.2?)", "refused");
    }
    throw new NegotiationError(
        `the server answered SSLRequest with 0x${answer.toString(16).padStart(2, "0")}, not S or N: it is not a PostgreSQL server` +
            (detected ? " (it did not speak first, so it was taken for PostgreSQL; pass --engine mysql if it is MySQL)" : ""),
        "protocol",
    );
}

async function mysql(socket: Socket, reader: Reader, timeoutMs: number): Promise<string> {
    const header = await reader.read(4, timeoutMs, "MySQL greeting");
    const length = header.readUIntLE(0, 3);
    const sequence = header[3];
    if (length === 0 || length > 64 * 1024) throw new NegotiationError(`the server's first packet (${length} bytes) is not a MySQL greeting`, "protocol");
    const parsed = parseMysqlGreeting(await reader.read(length, timeoutMs, "complete MySQL greeting"));
    if ("error" in parsed) {
        const hint = parsed.error.code === 1129 ? " (unblock it with FLUSH HOSTS, and raise max_connect_errors: docs/self-managed-hosts.md)" : "";
        throw new NegotiationError(`the server refused the connection: ERROR ${parsed.error.code}: ${parsed.error.message}${hint}`, "refused");
    }
    const g = parsed.greeting;
    const name = /mariadb/i.test(g.serverVersion) ? "MariaDB" : "MySQL";
    if ((g.capabilities & MYSQL_CAPABILITIES.ssl) === 0) {
        throw new NegotiationError(
            `${name} ${g.serverVersion} does not offer TLS (its greeting has no CLIENT_SSL capability): set ssl_cert and ssl_key (and ssl_ca) in its configuration and restart it`,
            "plaintext",
        );
    }
    if ((g.capabilities & MYSQL_CAPABILITIES.protocol41) === 0) throw new NegotiationError(`${name} ${g.serverVersion} does not speak protocol 4.1`, "protocol");
    socket.write(mysqlSslRequest(g, sequence + 1));
    return `${name} ${g.serverVersion} offered TLS in its greeting`;
}
