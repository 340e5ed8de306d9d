/**
 * Free TCP ports on the loopback interface, for throwaway servers (MariaDB, PostgreSQL) that tests start and
 * that must be told a port before they bind it.
 */
import * as net from "node:net";

/**
 * A port on 127.0.0.1 that was free a moment ago: the system picks it for a listener that is closed again at
 * once. Another process may take it before the caller binds it, so a caller that can should retry on failure.
 */
export async function freeLoopbackPort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}
