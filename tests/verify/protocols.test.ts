/**
 * The bytes of each database's way into TLS (infra/verify/protocols.ts): PostgreSQL's SSLRequest, a MySQL
 * greeting read and the SSL request packet written, and what `negotiateTls` makes of servers that answer
 * otherwise (a refusal, an error packet, bytes slipped in before the TLS handshake), against small fake servers
 * on loopback. The real servers are in run.postgres.test.ts and run.mariadb.test.ts.
 */
import assert from "node:assert/strict";
import * as net from "node:net";
import { after, describe, it } from "node:test";
import { MYSQL_CAPABILITIES, mysqlSslRequest, negotiateTls, NegotiationError, parseMysqlGreeting, POSTGRES_SSL_REQUEST } from "../../infra/verify/protocols";

/** A MySQL protocol-10 greeting payload, as a MySQL 8 server sends it. */
function greeting(version: string, capabilities: number, charset = 255): Buffer {
    const head = Buffer.concat([Buffer.from([10]), Buffer.from(`${version}\0`), Buffer.alloc(4 + 8 + 1)]);
    head.writeUInt32LE(42, version.length + 2);
    const caps = Buffer.alloc(2 + 1 + 2 + 2 + 1 + 10);
    caps.writeUInt16LE(capabilities & 0xffff, 0);
    caps[2] = charset;
    caps.writeUInt16LE(capabilities >>> 16, 5);
    caps[7] = 21;
    return Buffer.concat([head, caps, Buffer.from("0123456789ab\0caching_sha2_password\0")]);
}

function packet(payload: Buffer, sequence = 0): Buffer {
    const header = Buffer.alloc(4);
    header.writeUIntLE(payload.length, 0, 3);
    header[3] = sequence;
    return Buffer.concat([header, payload]);
}

const servers: net.Server[] = [];
after(() => servers.forEach((s) => s.close()));

/** A loopback server running `onConnection`; resolves with a connected client socket. */
async function fakeServer(onConnection: (socket: net.Socket) => void): Promise<net.Socket> {
    const server = net.createServer(onConnection);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    return new Promise((resolve) => {
        const s = net.connect(port, "127.0.0.1", () => resolve(s));
    });
}

describe("the protocol bytes", () => {
    it("SSLRequest is length 8 and code 80877103", () => {
        assert.equal(POSTGRES_SSL_REQUEST.readInt32BE(0), 8);
        assert.equal(POSTGRES_SSL_REQUEST.readInt32BE(4), 80877103);
    });

    it("reads a MySQL greeting's version, connection id, capabilities and character set", () => {
        const caps = MYSQL_CAPABILITIES.protocol41 | MYSQL_CAPABILITIES.ssl | MYSQL_CAPABILITIES.pluginAuth | MYSQL_CAPABILITIES.secureConnection;
        assert.deepEqual(parseMysqlGreeting(greeting("8.0.36", caps)), {
            greeting: { protocolVersion: 10, serverVersion: "8.0.36", connectionId: 42, capabilities: caps, characterSet: 255 },
        });
    });

    it("reads an error packet sent instead of the greeting", () => {
        const payload = Buffer.concat([Buffer.from([0xff, 0x69, 0x04]), Buffer.from("Host '10.0.1.5' is blocked because of many connection errors")]);
        assert.deepEqual(parseMysqlGreeting(payload), { error: { code: 1129, message: "Host '10.0.1.5' is blocked because of many connection errors" } });
    });

    it("refuses what is not a protocol-10 greeting", () => {
        assert.throws(() => parseMysqlGreeting(Buffer.from([9, 0x35, 0])), /not a MySQL protocol 10 greeting \(it starts with 0x09\)/);
        assert.throws(() => parseMysqlGreeting(Buffer.from([10, 0x35, 0x2e, 0x37])), /greeting is truncated/);
    });

    it("writes the 32-byte SSL request: header, the capabilities both sides have with SSL and 4.1, 16 MiB, the server's character set, zeros", () => {
        const g = { protocolVersion: 10, serverVersion: "8.0.36", connectionId: 1, capabilities: 0xffffffff, characterSet: 255 };
        const request = mysqlSslRequest(g, 1);
        assert.equal(request.length, 36);
        assert.equal(request.readUIntLE(0, 3), 32);
        assert.equal(request[3], 1);
        assert.equal(request.readUInt32LE(4), 0x1 | 0x4 | 0x200 | 0x800 | 0x2000 | 0x8000 | 0x80000);
        assert.equal(request.readUInt32LE(8), 16 * 1024 * 1024);
        assert.equal(request[12], 255);
        assert.deepEqual([...request.subarray(13)], new Array(23).fill(0));
        // A server without plugin auth is not sent the flag.
        assert.equal(mysqlSslRequest({ ...g, capabilities: 0x200 | 0x800 }, 1).readUInt32LE(4), 0x200 | 0x800);
    });
});

describe("negotiating TLS with servers that do not play along", () => {
    it("refuses bytes sent after PostgreSQL's S, before the TLS handshake", async () => {
        const socket = await fakeServer((s) => s.once("data", () => s.write(Buffer.from("Sinjected"))));
        await assert.rejects(negotiateTls(socket, "postgres", 2000), (e: NegotiationError) => {
            assert.equal(e.kind, "protocol");
            assert.match(e.message, /^the server sent 8 more byte\(s\) after accepting SSLRequest, before the TLS handshake/);
            return true;
        });
        socket.destroy();
    });

    it("reports a MySQL server's refusal with its error", async () => {
        const error = Buffer.concat([Buffer.from([0xff, 0x69, 0x04]), Buffer.from("Host '10.0.1.5' is blocked because of many connection errors")]);
        const socket = await fakeServer((s) => s.write(packet(error)));
        await assert.rejects(negotiateTls(socket, "mysql", 2000), (e: NegotiationError) => {
            assert.equal(e.kind, "refused");
            assert.match(e.message, /^the server refused the connection: ERROR 1129: Host '10\.0\.1\.5' is blocked .* \(unblock it with FLUSH HOSTS/);
            return true;
        });
        socket.destroy();
    });

    it("sends the SSL request after a greeting that offers TLS, with the next sequence number", async () => {
        let received: Buffer | undefined;
        const socket = await fakeServer((s) => {
            s.write(packet(greeting("8.0.36-log", MYSQL_CAPABILITIES.protocol41 | MYSQL_CAPABILITIES.ssl), 0));
            s.once("data", (d) => (received = d));
        });
        const negotiated = await negotiateTls(socket, undefined, 2000);
        assert.deepEqual(negotiated, { engine: "mysql", detected: true, summary: "MySQL 8.0.36-log offered TLS in its greeting" });
        while (!received) await new Promise((r) => setTimeout(r, 10));
        assert.equal(received.length, 36);
        assert.equal(received[3], 1);
        socket.destroy();
    });

    it("says a server that answers SSLRequest with something else is not PostgreSQL", async () => {
        const socket = await fakeServer((s) => s.once("data", () => s.write("HTTP/1.1 400 Bad Request\r\n\r\n")));
        await assert.rejects(negotiateTls(socket, "postgres", 2000), /answered SSLRequest with 0x48, not S or N: it is not a PostgreSQL server$/);
        socket.destroy();
    });
});
