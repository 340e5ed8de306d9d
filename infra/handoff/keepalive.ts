/**
 * TCP keepalives that keep an idle connection through an endpoint open. The load balancer closes a TCP flow
 * that carries nothing for the listener's idle timeout (`idleTimeoutSeconds`, 60..6000 s); a keepalive probe
 * (an empty segment) and its answer count as traffic, so a client whose first probe goes out sooner keeps an
 * idle connection (a pool's, a BI tool's) alive. Operating systems send the first probe after 2 hours by default
 * (Linux `tcp_keepalive_time` 7200 s), longer than any idle timeout an endpoint can have, so a driver that turns
 * keepalives on without a timing of its own still needs the operating system's setting changed.
 *
 * Which drivers can set the timing per connection: libpq (`keepalives`, `keepalives_idle`,
 * `keepalives_interval`, `keepalives_count`, connection keywords of PostgreSQL's client library); pgJDBC has only
 * `tcpKeepAlive` (on/off, default off: its PGProperty TCP_KEEP_ALIVE), so the timing is the operating system's;
 * MySQL Connector/J has `tcpKeepAlive` (default on: its PropertyDefinitions), timing from the operating system;
 * MariaDB Connector/C (the `mariadb`/`mysql` clients on Debian) turns SO_KEEPALIVE on for every TCP connection
 * (ma_pvio_keepalive) with no timing setting.
 */

/** The probe timing to give a client of an endpoint. */
export interface KeepaliveSettings {
    /** The endpoint's idle timeout, seconds. */
    idleTimeoutSeconds: number;
    /** Idle seconds before the first probe: half the idle timeout, at most 300. */
    idleSeconds: number;
    /** Seconds between unanswered probes. */
    intervalSeconds: number;
    /** Unanswered probes before the connection is given up. */
    count: number;
}

/**
 * The timing for an endpoint whose idle timeout is `idleTimeoutSeconds`: the first probe after half of it, and
 * never later than 300 s, which also stays inside the 350 s idle timeout of NAT gateways and many firewalls on
 * the client's own side; then a probe every third of that (at least 1 s, at most 30 s), 3 times.
 */
export function keepaliveSettings(idleTimeoutSeconds: number): KeepaliveSettings {
    const idleSeconds = Math.max(1, Math.min(300, Math.floor(idleTimeoutSeconds / 2)));
    const intervalSeconds = Math.max(1, Math.min(30, Math.floor(idleSeconds / 3)));
    return { idleTimeoutSeconds, idleSeconds, intervalSeconds, count: 3 };
}

/** libpq connection keywords. */
export function libpqKeepalives(k: KeepaliveSettings): string {
    return `keepalives=1 keepalives_idle=${k.idleSeconds} keepalives_interval=${k.intervalSeconds} keepalives_count=${k.count}`;
}

/** The operating-system settings, per system, for drivers that take the timing from it. */
export function osKeepalives(k: KeepaliveSettings): string[] {
    return [
        `Linux:   sudo sysctl -w net.ipv4.tcp_keepalive_time=${k.idleSeconds} net.ipv4.tcp_keepalive_intvl=${k.intervalSeconds} net.ipv4.tcp_keepalive_probes=${k.count}` +
            " (keep it across reboots in a file under /etc/sysctl.d/)",
        `macOS:   sudo sysctl -w net.inet.tcp.keepidle=${k.idleSeconds * 1000} net.inet.tcp.keepintvl=${k.intervalSeconds * 1000} (milliseconds)`,
        `Windows: in HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters set the DWORDs KeepAliveTime=${k.idleSeconds * 1000} and KeepAliveInterval=${k.intervalSeconds * 1000} (milliseconds), then restart`,
    ];
}
