/**
 * A TCP pass-through proxy on loopback that plays an endpoint's Network Load Balancer in tests: a TCP listener
 * that opens a connection to its target for each client and copies bytes both ways without looking at them,
 * so the database negotiates TLS with the client end to end, as through the real endpoint. When the target
 * cannot be reached the client's connection is reset, as a load balancer without a healthy target does.
 */
import * as net from "node:net";

export interface TcpProxy {
    readonly host: string;
    readonly port: number;
    /** Where new connections go from now on. */
    retarget(host: string, port: number): void;
    /** Resolves once no connection is open through the proxy. */
    whenIdle(): Promise<void>;
    /** Stops listening and closes every open connection. */
    close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 (a free port) forwarding to `targetHost:targetPort`. */
export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
    let target = { host: targetHost, port: targetPort };
    const open = new Set<net.Socket>();
    const server = net.createServer((client) => {
        const upstream = net.connect({ host: target.host, port: target.port });
        for (const s of [client, upstream]) {
            open.add(s);
            s.once("close", () => open.delete(s));
        }
        client.pipe(upstream);
        upstream.pipe(client);
        client.on("error", () => upstream.destroy());
        // A reset needs the client's side still open: once it is ending (the target's FIN, passed on, started
        // its shutdown) libuv refuses the reset (UV_EINVAL) and Node then never closes the socket nor emits
        // 'close', so whenIdle() would wait forever. Such a connection is closed plainly.
        upstream.on("error", () => (client.writableEnded ? client.destroy() : client.resetAndDestroy()));
        client.on("close", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as net.AddressInfo;
    return {
        host: "127.0.0.1",
        port,
        retarget(host, p) {
            target = { host, port: p };
        },
        async whenIdle() {
            while (open.size > 0) await new Promise((resolve) => setTimeout(resolve, 10));
        },
        close: () =>
            new Promise<void>((resolve) => {
                for (const s of open) s.destroy();
                server.close(() => resolve());
            }),
    };
}
