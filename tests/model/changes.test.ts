/**
 * What changing a product from one validated model to another does, in a reviewer's terms: the settings that
 * differ; the load balancers replaced (Elastic IPs switched, a subnet removed or swapped, not a subnet added) and
 * the endpoints that move between load balancers, each getting a new DNS name; the self-managed databases'
 * certificates issued, re-issued (an endpoint hostname added or renamed, a load balancer's new DNS name, the
 * database's hostname, the issuing CA) or deleted; and the restarts that follow.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareProducts, diffSettings, EndpointChange, ProductChanges } from "../../infra/model/changes";
import { parseStackConfig } from "../../infra/program/config";

const SUBNET_A = "subnet-0aa11bb22cc33dd44";
const SUBNET_B = "subnet-0ee55ff66aa77bb88";
const SUBNET_C = "subnet-0cc33dd44ee55ff66";

type Endpoint = Record<string, unknown>;

function spec(endpoints: Endpoint[], extra: Record<string, unknown> = {}) {
    return parseStackConfig({ vpcId: "vpc-0a1b2c3d4e5f60718", publicSubnetIds: [SUBNET_A, SUBNET_B], endpoints, ...extra }).spec;
}

const pg = (name: string, extra: Endpoint = {}, database: Record<string, unknown> = {}): Endpoint => ({
    name,
    database: { addresses: ["10.0.3.17"], port: 5432, engine: "postgres", instanceIds: ["i-0a1b2c3d4e5f60718"], ...database },
    allowedCidrs: ["203.0.113.0/24"],
    ...extra,
});
const rds = (name: string, extra: Endpoint = {}, database: Record<string, unknown> = {}): Endpoint => ({
    name,
    database: { rdsInstanceIdentifier: "prod-postgres", ...database },
    allowedCidrs: ["198.51.100.7/32"],
    ...extra,
});

function compare(before: Endpoint[], after: Endpoint[], extraBefore: Record<string, unknown> = {}, extraAfter: Record<string, unknown> = extraBefore): ProductChanges {
    return compareProducts(spec(before, extraBefore), spec(after, extraAfter));
}

function endpoint(c: ProductChanges, name: string): EndpointChange {
    return c.endpoints.find((e) => e.name === name)!;
}

describe("the load balancer", () => {
    it("switching elasticIps on replaces it, delete-first: a new DNS name, an outage, refused while protected", () => {
        const c = compare([rds("a")], [rds("a", { elasticIps: true })]);
        assert.deepEqual(c.loadBalancers, [
            {
                name: "a",
                shared: false,
                status: "replaced",
                reasons: ["elasticIps switched on: AWS fixes a network load balancer's addresses when it is created"],
                deletedFirst: true,
                blockedByDeletionProtection: true,
                endpoints: ["a"],
            },
        ]);
        const a = endpoint(c, "a");
        assert.deepEqual(a.settings, [{ path: "endpoints[a].elasticIps", before: false, after: true }]);
        assert.deepEqual(a.newDnsName, ["its own load balancer (a-nlb) is replaced: elasticIps switched on: AWS fixes a network load balancer's addresses when it is created"]);
        assert.equal(a.outage, true);
        // Switching off runs new-first; with deletion protection off nothing refuses it.
        const off = compare([rds("a", { elasticIps: true, deletionProtection: false })], [rds("a", { deletionProtection: false })]);
        assert.deepEqual([off.loadBalancers[0].status, off.loadBalancers[0].deletedFirst, off.loadBalancers[0].blockedByDeletionProtection], ["replaced", false, false]);
        assert.equal(endpoint(off, "a").outage, false);
    });

    it("removing or swapping a public subnet replaces every load balancer; adding one replaces none", () => {
        const removed = compare([rds("a"), pg("b")], [rds("a"), pg("b")], {}, { publicSubnetIds: [SUBNET_A] });
        assert.deepEqual(
            removed.loadBalancers.map((l) => [l.name, l.status, l.reasons]),
            ["a", "b"].map((n) => [n, "replaced", [`public subnet ${SUBNET_B} removed: AWS can add a subnet to a network load balancer, not remove one`]]),
        );
        assert.deepEqual(removed.stack, [{ path: "publicSubnetIds", before: [SUBNET_A, SUBNET_B], after: [SUBNET_A], added: [], removed: [SUBNET_B] }]);
        const swapped = compare([rds("a")], [rds("a")], {}, { publicSubnetIds: [SUBNET_A, SUBNET_C] });
        assert.deepEqual(swapped.loadBalancers[0].reasons, [
            `public subnets swapped (${SUBNET_B} for ${SUBNET_C}): AWS can add a subnet to a network load balancer, not remove one`,
        ]);
        const added = compare([rds("a")], [rds("a")], {}, { publicSubnetIds: [SUBNET_A, SUBNET_B, SUBNET_C] });
        assert.deepEqual([added.loadBalancers[0].status, endpoint(added, "a").status, endpoint(added, "a").newDnsName], ["kept", "unchanged", []]);
    });

    it("moving an endpoint into, out of or between shared load balancers gives it the other one's DNS name", () => {
        const into = compare([pg("a"), pg("b", { loadBalancer: "shared", port: 5433 }, { addresses: ["10.0.3.18"] })], [
            pg("a", { loadBalancer: "shared" }),
            pg("b", { loadBalancer: "shared", port: 5433 }, { addresses: ["10.0.3.18"] }),
        ]);
        assert.deepEqual(endpoint(into, "a").newDnsName, ['moves from its own load balancer (a-nlb) to shared load balancer "shared": a new target group and listener there']);
        assert.deepEqual(
            into.loadBalancers.map((l) => [l.name, l.shared, l.status]),
            [
                ["shared", true, "kept"],
                ["a", false, "removed"],
            ],
        );
        assert.deepEqual(endpoint(into, "b").newDnsName, []);
        const out = compare([pg("a", { loadBalancer: "shared" })], [pg("a")]);
        assert.deepEqual(endpoint(out, "a").newDnsName, ['moves from shared load balancer "shared" to its own load balancer (a-nlb): a new target group and listener there']);
        const between = compare([pg("a", { loadBalancer: "one" })], [pg("a", { loadBalancer: "two" })]);
        assert.deepEqual(endpoint(between, "a").newDnsName, ['moves from shared load balancer "one" to shared load balancer "two": a new target group and listener there']);
    });

    it("a change made in place keeps it: the allowlist, the idle timeout, the port, deletion protection", () => {
        const c = compare([pg("a")], [pg("a", { allowedCidrs: ["203.0.113.0/24", "198.51.100.0/24"], idleTimeoutSeconds: 600, port: 15432, deletionProtection: false })]);
        const a = endpoint(c, "a");
        assert.deepEqual([c.loadBalancers[0].status, a.status, a.newDnsName, a.certificate, a.restart], ["kept", "changed", [], undefined, undefined]);
        assert.deepEqual(
            a.settings.map((s) => s.path),
            ["endpoints[a].allowedCidrs", "endpoints[a].idleTimeoutSeconds", "endpoints[a].deletionProtection", "endpoints[a].port"],
        );
        assert.deepEqual(a.settings[0], {
            path: "endpoints[a].allowedCidrs",
            before: ["203.0.113.0/24"],
            after: ["203.0.113.0/24", "198.51.100.0/24"],
            added: ["198.51.100.0/24"],
            removed: [],
        });
    });
});

describe("a self-managed database's certificate", () => {
    it("adding an endpoint hostname re-issues it, and the restart hook restarts the database on its instances", () => {
        const c = compare([pg("a")], [pg("a", { hostname: "a.db.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" })]);
        assert.deepEqual(c.certificates, [{ database: "db-10.0.3.17-5432", action: "re-issued", reasons: ["endpoint hostname a.db.example.com added (a)"], endpoints: ["a"] }]);
        assert.deepEqual(endpoint(c, "a").restart, {
            how: "ssm",
            text: "SSM Run Command on i-0a1b2c3d4e5f60718 installs the re-issued certificate and reloads PostgreSQL (pg_reload_conf)",
        });
    });

    it("without instanceIds it is restarted by hand; with a restart command, that command runs", () => {
        const manual = compare([pg("a", {}, { instanceIds: undefined })], [pg("a", { hostname: "a.db.example.com" }, { instanceIds: undefined })]);
        assert.equal(endpoint(manual, "a").restart?.how, "manual");
        const command = compare([pg("a", {}, { restartCommand: "systemctl reload postgresql" })], [pg("a", { hostname: "a.db.example.com" }, { restartCommand: "systemctl reload postgresql" })]);
        assert.match(endpoint(command, "a").restart!.text, /runs database\.restartCommand$/);
    });

    it("renaming a hostname, changing the database's hostname or the issuing CA re-issues it; saying why", () => {
        const renamed = compare([pg("a", { hostname: "old.db.example.com" })], [pg("a", { hostname: "new.db.example.com" })]);
        assert.deepEqual(renamed.certificates[0].reasons, ["endpoint hostname of a renamed: old.db.example.com -> new.db.example.com"]);
        const internal = compare([pg("a", {}, { hostname: "db1.internal.example.com" })], [pg("a", {}, { hostname: "db2.internal.example.com" })]);
        assert.deepEqual(internal.certificates[0].reasons, ["database.hostname changed: db1.internal.example.com -> db2.internal.example.com"]);
        const ca = compare([pg("a")], [pg("a")], { certificateAuthority: { generations: [1, 2], issuer: 1 } }, { certificateAuthority: { generations: [1, 2], issuer: 2 } });
        assert.deepEqual(ca.certificates[0].reasons, ["signed by CA generation 2 (was 1)"]);
        assert.equal(endpoint(ca, "a").restart?.how, "ssm");
    });

    it("a replaced load balancer's new DNS name re-issues it; a moved endpoint's names change", () => {
        const replaced = compare([pg("a")], [pg("a", { elasticIps: true })]);
        assert.deepEqual(replaced.certificates[0].reasons, ["the DNS name of a's load balancer changes: the load balancer is replaced"]);
        const moved = compare([pg("a")], [pg("a", { loadBalancer: "shared" })]);
        assert.deepEqual(moved.certificates[0].reasons, ['names the DNS name of shared load balancer "shared" (a reaches the database through it)', "no longer names the DNS name of a's load balancer"]);
    });

    it("a second endpoint on a shared load balancer that already reaches the database changes no name", () => {
        const c = compare(
            [pg("a", { loadBalancer: "shared", port: 6432 })],
            [pg("a", { loadBalancer: "shared", port: 6432 }), pg("b", { loadBalancer: "shared", port: 6433 })],
        );
        assert.deepEqual(c.certificates, []);
        assert.equal(endpoint(c, "b").status, "added");
        assert.equal(endpoint(c, "b").certificate, undefined);
    });

    it("a database at other addresses is another certificate, issued; the old one is deleted; removing every endpoint deletes it", () => {
        const c = compare([pg("a")], [pg("a", {}, { addresses: ["10.0.3.18"] })]);
        assert.deepEqual(
            c.certificates.map((x) => [x.database, x.action, x.reasons]),
            [
                ["db-10.0.3.18-5432", "issued", ["a's database is now at 10.0.3.18 port 5432: another database, another certificate"]],
                ["db-10.0.3.17-5432", "deleted", ["no endpoint reaches it any more"]],
            ],
        );
        assert.equal(endpoint(c, "a").restart?.how, "ssm");
        const removed = compare([pg("a"), rds("b")], [rds("b")]);
        assert.deepEqual(endpoint(removed, "a"), {
            name: "a",
            status: "removed",
            settings: [],
            newDnsName: [],
            outage: false,
            certificate: { database: "db-10.0.3.17-5432", action: "deleted", reasons: ["no endpoint reaches it any more"], endpoints: ["a"] },
        });
    });

    it("a new endpoint's database gets its certificate issued and restarted", () => {
        const c = compare([rds("r")], [rds("r"), pg("a")]);
        assert.deepEqual(endpoint(c, "a").certificate, { database: "db-10.0.3.17-5432", action: "issued", reasons: ["a new database"], endpoints: ["a"] });
        assert.equal(endpoint(c, "a").restart?.how, "ssm");
    });
});

describe("an RDS endpoint's restart", () => {
    it("restart: always restarts the instance when the listener is created: a new endpoint, a new load balancer", () => {
        const added = compare([rds("r")], [rds("r"), rds("s", {}, { restart: "always" })]);
        assert.deepEqual(endpoint(added, "s").restart, { how: "rds-reboot", text: "the restart hook restarts RDS instance prod-postgres once the listener is created (restart: always)" });
        const moved = compare([rds("s", {}, { restart: "always" })], [rds("s", { elasticIps: true }, { restart: "always" })]);
        assert.equal(endpoint(moved, "s").restart?.how, "rds-reboot");
        const inPlace = compare([rds("s", {}, { restart: "always" })], [rds("s", { idleTimeoutSeconds: 600 }, { restart: "always" })]);
        assert.equal(endpoint(inPlace, "s").restart, undefined);
    });

    it("when-pending (the default) runs the hook, which restarts only for a pending CA change; never runs nothing", () => {
        const c = compare([rds("r")], [rds("r"), rds("s")]);
        assert.deepEqual(endpoint(c, "s").restart, {
            how: "rds-if-pending",
            text: "the restart hook runs once the listener is created: it restarts RDS instance prod-postgres only to apply a pending CA certificate change (restart: when-pending)",
        });
        const never = compare([rds("r")], [rds("r"), rds("s", {}, { restart: "never" })]);
        assert.equal(endpoint(never, "s").restart, undefined);
    });
});

describe("the settings that differ", () => {
    it("are listed by path to the leaves, lists of plain values with what they gain and lose", () => {
        assert.deepEqual(diffSettings("x", { a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [2, 3] }, d: "new" }), [
            { path: "x.b.c", before: [1, 2], after: [2, 3], added: [3], removed: [1] },
            { path: "x.d", before: undefined, after: "new" },
        ]);
        assert.deepEqual(diffSettings("x", [{ a: 1 }], [{ a: 2 }]), [{ path: "x", before: [{ a: 1 }], after: [{ a: 2 }] }]);
    });

    it("leaves an endpoint that changes nothing unchanged", () => {
        const c = compare([rds("r"), pg("a")], [rds("r"), pg("a")]);
        assert.deepEqual(
            c.endpoints.map((e) => [e.name, e.status]),
            [
                ["r", "unchanged"],
                ["a", "unchanged"],
            ],
        );
        assert.deepEqual([c.stack, c.certificates, c.loadBalancers.map((l) => l.status)], [[], [], ["kept", "kept"]]);
    });
});
