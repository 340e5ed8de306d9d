/**
 * The pass-through proxy the verify suites put in front of a real server (testing/tcpProxy.ts): bytes both ways,
 * a reset when the target cannot be reached, and every connection closed once either side is done, so that
 * `whenIdle()` returns; in particular when the target ends its side and then fails while the client keeps sending
 * (a server that closes with unread data resets the connection), where resetting the client's side, already
 * shutting down, would leave the proxy waiting for a close that never comes.
 */
import assert from "node:assert/strict";
import * as net from "node:net";
import { after, describe, it } from "node:test";
import { startTcpProxy, TcpProxy } from "../../testing/tcpProxy";

const closers: (() => Promise<void>)[] = [];
after(async () => {
    for (const close of closers.reverse()) await close();
});

async function listen(onConnection: (s: net.Socket) => void): Promise<{ server: net.Server; port: number }> {
    const server = net.createServer(onConnection);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return { server, port: (server.address() as net.AddressInfo).port };
}

async function proxyTo(port: number): Promise<TcpProxy> {
    const proxy = await startTcpProxy("127.0.0.1", port);
    closers.push(() => proxy.close());
    return proxy;
}

/** Connects to `port`, runs `use` on the socket, and resolves with what it received once it closes. */
function client(port: number, use: (s: net.Socket) => void = () => undefined): Promise<{ received: string; error?: string }> {
    return new Promise((resolve) => {
        const s = net.connect(port, "127.0.0.1");
        let received = "";
        let error: string | undefined;
        s.on("data", (d: Buffer) => (received += d.toString()));
        s.on("error", (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
        s.once("close", () => resolve({ received, error }));
        use(s);
    });
}

describe("the pass-through proxy", () => {
    it("copies bytes both ways, and is idle once the connection is closed", async () => {
        const { port } = await listen((s) => s.on("data", (d: Buffer) => s.end(`echo ${d.toString()}`)));
        const proxy = await proxyTo(port);
        const result = await client(proxy.port, (s) => s.write("hello"));
        assert.deepEqual(result, { received: "echo hello", error: undefined });
        await proxy.whenIdle();
    });

    it("resets the client's connection when the target cannot be reached", async () => {
        const { server, port } = await listen(() => undefined);
        await new Promise<void>((resolve) => server.close(() => resolve()));
        const proxy = await proxyTo(port);
        const result = await client(proxy.port);
        assert.equal(result.error, "ECONNRESET");
        await proxy.whenIdle();
    });

    it("closes the client's connection when the target ends its side and then fails, and becomes idle (100 rounds: the order varies)", { timeout: 120_000 }, async () => {
        // The target reads nothing and ends its side; closing then with the client's bytes unread resets the
        // connection. The proxy has by then passed the target's end on to the client (its side is shutting down)
        // in some rounds, and not yet in others.
        const { port } = await listen((s) => {
            s.pause();
            setTimeout(() => {
                s.end("bye");
                setTimeout(() => s.destroy(), 20);
            }, 30);
        });
        const proxy = await proxyTo(port);
        for (let round = 0; round < 100; round++) {
            const result = await client(proxy.port, (s) => {
                const timer = setInterval(() => (s.destroyed ? clearInterval(timer) : s.write(Buffer.alloc(4096))), 1);
            });
            assert.ok(result.received === "" || result.received === "bye", `round ${round}: ${JSON.stringify(result.received)}`);
            // Without a close for every connection, this never returns (the test's timeout fails it).
            await proxy.whenIdle();
        }
    });
});
