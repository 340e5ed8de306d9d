/**
 * The RDS restart hook's logic (infra/hooks/rdsReboot.ts) against a mocked RDSClient and a fake clock: what each
 * restart policy does for each pending change (a CA change is applied with ModifyDBInstance, never by a reboot;
 * a pending-reboot parameter group reboots only with an opt-in), what it reports instead, how it waits, its
 * bound, and the errors it raises.
 */
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import {
    DBInstance,
    DBInstanceNotFoundFault,
    DescribeDBInstancesCommand,
    DescribeDBParametersCommand,
    InvalidDBInstanceStateFault,
    ModifyDBInstanceCommand,
    RDSClient,
    RebootDBInstanceCommand,
} from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import {
    describeStaticParameters,
    pendingCaChange,
    pendingMaintenanceChanges,
    pendingRebootGroups,
    planRestart,
    RDS_REBOOT,
    rebootIfNeeded,
} from "../../infra/hooks/rdsReboot";
import { RDS_RESTART_POLICIES, RdsRestartPolicy } from "../../infra/enums";
import { makeFakeClock } from "../../testing/fakeClock";

const ID = "prod-postgres";
const rds = mockClient(RDSClient);
const client = new RDSClient({ region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });

const fakeClock = () => makeFakeClock(1_000_000);

function instance(status: string, extra: Partial<DBInstance> = {}): { DBInstances: DBInstance[] } {
    return {
        DBInstances: [
            {
                DBInstanceIdentifier: ID,
                DBInstanceStatus: status,
                CACertificateIdentifier: "rds-ca-rsa2048-g1",
                DBParameterGroups: [{ DBParameterGroupName: "prod-pg16", ParameterApplyStatus: "in-sync" }],
                PendingModifiedValues: {},
                ...extra,
            },
        ],
    };
}

const pendingCa = { PendingModifiedValues: { CACertificateIdentifier: "rds-ca-ecc384-g1" } };
const rotated = { CACertificateIdentifier: "rds-ca-ecc384-g1" };
const pendingParameters = { DBParameterGroups: [{ DBParameterGroupName: "prod-pg16", ParameterApplyStatus: "pending-reboot" }] };
const CA_CHANGE = "CA certificate change rds-ca-rsa2048-g1 -> rds-ca-ecc384-g1 is pending";
const GROUP_NOTE =
    "static parameters set in it: max_connections, shared_preload_libraries; RDS does not say which of them, or whether the switch to this group, waits";

/** Describe answers in order; the last one repeats. */
function describes(...answers: ReturnType<typeof instance>[]): void {
    const stub = rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: ID });
    answers.slice(0, -1).forEach((a) => stub.resolvesOnce(a));
    stub.resolves(answers[answers.length - 1]);
}

/** The user-set parameters of prod-pg16, over two pages: two static ones, one dynamic. */
function parameters(): void {
    rds.on(DescribeDBParametersCommand, { DBParameterGroupName: "prod-pg16", Source: "user", Marker: undefined }).resolves({
        Parameters: [
            { ParameterName: "shared_preload_libraries", ApplyType: "static", Source: "user" },
            { ParameterName: "rds.force_ssl", ApplyType: "dynamic", Source: "user" },
        ],
        Marker: "page-2",
    });
    rds.on(DescribeDBParametersCommand, { DBParameterGroupName: "prod-pg16", Source: "user", Marker: "page-2" }).resolves({
        Parameters: [{ ParameterName: "max_connections", ApplyType: "static", Source: "user" }],
    });
}

const TWENTY_MINUTES = 20 * 60_000;
const MODIFY_CA = { DBInstanceIdentifier: ID, CACertificateIdentifier: "rds-ca-ecc384-g1", ApplyImmediately: true };

function run(policy: RdsRestartPolicy, extra: { timeoutMs?: number; clock?: ReturnType<typeof fakeClock>; log?: (m: string) => void } = {}) {
    return rebootIfNeeded(client, { dbInstanceIdentifier: ID, policy, timeoutMs: extra.timeoutMs ?? TWENTY_MINUTES, clock: extra.clock ?? fakeClock(), log: extra.log });
}

const notRebootedForGroup = (policy: string, note = GROUP_NOTE) =>
    `RDS instance ${ID}: DB parameter group prod-pg16 is pending-reboot (${note}); not rebooting: restart policy "${policy}" restarts for ` +
    `TLS changes only, and RDS does not say which parameters wait. A reboot applies them (aws rds reboot-db-instance --db-instance-identifier ${ID}); ` +
    `database.restart "when-pending-or-parameters" lets the hook do it`;

beforeEach(() => rds.reset());

describe("the restart policies", () => {
    it("are the same list for the component and the stack config", () => {
        assert.deepEqual(RDS_RESTART_POLICIES, ["when-pending", "when-pending-or-parameters", "always", "never"]);
    });
});

describe("what an instance has pending", () => {
    it("a CA change, pending-reboot groups, and the other modifications (empty values do not count)", () => {
        const i = instance("available", {
            PendingModifiedValues: {
                CACertificateIdentifier: "rds-ca-ecc384-g1",
                DBInstanceClass: "db.r6g.large",
                AllocatedStorage: 200,
                PendingCloudwatchLogsExports: { LogTypesToEnable: [], LogTypesToDisable: [] },
                ProcessorFeatures: [],
            },
            DBParameterGroups: [
                { DBParameterGroupName: "a", ParameterApplyStatus: "pending-reboot" },
                { DBParameterGroupName: "b", ParameterApplyStatus: "applying" },
            ],
        }).DBInstances[0];
        assert.deepEqual(pendingCaChange(i), { from: "rds-ca-rsa2048-g1", to: "rds-ca-ecc384-g1" });
        assert.deepEqual(pendingRebootGroups(i), ["a"]);
        assert.deepEqual(pendingMaintenanceChanges(i), ["AllocatedStorage", "DBInstanceClass"]);
        const none = instance("available").DBInstances[0];
        assert.deepEqual([pendingCaChange(none), pendingRebootGroups(none), pendingMaintenanceChanges(none)], [undefined, [], []]);
    });

    it("of a pending-reboot group, the static parameters set in it, over every page", async () => {
        parameters();
        assert.equal(await describeStaticParameters(client, "prod-pg16"), GROUP_NOTE);
        assert.equal(rds.commandCalls(DescribeDBParametersCommand).length, 2);
        assert.equal(
            await describeStaticParameters(client, "prod-pg16", 1),
            "static parameters set in it: max_connections and 1 more; RDS does not say which of them, or whether the switch to this group, waits",
        );
    });

    it("a group without static parameters, and a refused DescribeDBParameters, are said so", async () => {
        rds.on(DescribeDBParametersCommand).resolvesOnce({ Parameters: [{ ParameterName: "rds.force_ssl", ApplyType: "dynamic" }] });
        assert.equal(await describeStaticParameters(client, "prod-pg16"), "no static parameter is set in it: what waits may be the switch to this group");
        rds.on(DescribeDBParametersCommand).rejects(Object.assign(new Error("not authorized to perform: rds:DescribeDBParameters"), { name: "AccessDenied" }));
        assert.equal(
            await describeStaticParameters(client, "prod-pg16"),
            "its parameters could not be listed: AccessDenied: not authorized to perform: rds:DescribeDBParameters",
        );
    });
});

describe("planRestart", () => {
    const plan = (policy: RdsRestartPolicy, extra: Partial<DBInstance>, caApplied = false) =>
        planRestart(ID, instance("available", extra).DBInstances[0], policy, {}, caApplied);
    const both = { ...pendingCa, ...pendingParameters };

    it("applies a lone CA change under every policy that acts, and reboots for a group only with an opt-in", () => {
        for (const policy of [RdsRestartPolicy.WhenPending, RdsRestartPolicy.WhenPendingOrParameters, RdsRestartPolicy.Always]) {
            assert.deepEqual(plan(policy, pendingCa), { applyCa: { to: "rds-ca-ecc384-g1", reason: CA_CHANGE }, reboot: false, reasons: [], leftAlone: [] }, policy);
        }
        assert.deepEqual(
            [RdsRestartPolicy.WhenPending, RdsRestartPolicy.WhenPendingOrParameters, RdsRestartPolicy.Always].map((p) => plan(p, pendingParameters).reboot),
            [false, true, true],
        );
        assert.deepEqual(plan(RdsRestartPolicy.Always, pendingParameters).reasons, ['restart policy is "always"', "DB parameter group prod-pg16 is pending-reboot"]);
    });

    it("with a pending-reboot group, applies a CA change only where the policy allows the restart to apply the group too", () => {
        assert.deepEqual(plan(RdsRestartPolicy.WhenPending, both).applyCa, undefined);
        assert.deepEqual(plan(RdsRestartPolicy.WhenPendingOrParameters, both).applyCa, { to: "rds-ca-ecc384-g1", reason: CA_CHANGE });
        assert.deepEqual(plan(RdsRestartPolicy.Always, both).applyCa, { to: "rds-ca-ecc384-g1", reason: CA_CHANGE });
    });

    it('"always" counts the restart of an applied CA change as its restart', () => {
        assert.equal(plan(RdsRestartPolicy.Always, {}).reboot, true);
        assert.equal(plan(RdsRestartPolicy.Always, {}, true).reboot, false);
        assert.equal(plan(RdsRestartPolicy.Always, pendingParameters, true).reboot, true);
    });
});

describe("rebootIfNeeded", () => {
    it('"when-pending" applies a pending CA change with ModifyDBInstance, never a reboot, and waits until the instance has it', async () => {
        describes(instance("available", pendingCa), instance("modifying", pendingCa), instance("rebooting", rotated), instance("available", rotated));
        rds.on(ModifyDBInstanceCommand).resolves({ DBInstance: { DBInstanceIdentifier: ID, DBInstanceStatus: "available", ...pendingCa } });
        const clock = fakeClock();
        const logged: string[] = [];
        const result = await run(RdsRestartPolicy.WhenPending, { clock, log: (m) => logged.push(m) });
        assert.deepEqual(result, {
            rebooted: false,
            appliedCaCertificate: "rds-ca-ecc384-g1",
            reasons: [CA_CHANGE],
            warnings: [],
            message: `RDS instance ${ID}: CA certificate rds-ca-ecc384-g1 applied (ModifyDBInstance, ApplyImmediately); the instance is available again`,
        });
        assert.deepEqual(rds.commandCalls(ModifyDBInstanceCommand).map((c) => c.args[0].input), [MODIFY_CA]);
        assert.equal(rds.commandCalls(RebootDBInstanceCommand).length, 0);
        assert.deepEqual(clock.sleeps, [RDS_REBOOT.pollIntervalMs, RDS_REBOOT.pollIntervalMs, RDS_REBOOT.pollIntervalMs]);
        assert.deepEqual(logged, [`applying CA certificate rds-ca-ecc384-g1 to RDS instance ${ID} (ModifyDBInstance, ApplyImmediately): ${CA_CHANGE}`]);
    });

    it('"when-pending" does not reboot for a pending-reboot parameter group, and reports what it knows of it', async () => {
        describes(instance("available", pendingParameters));
        parameters();
        const clock = fakeClock();
        const result = await run(RdsRestartPolicy.WhenPending, { clock });
        assert.deepEqual(result, {
            rebooted: false,
            reasons: [],
            warnings: [notRebootedForGroup("when-pending")],
            message: `RDS instance ${ID}: nothing restart policy "when-pending" applies is pending; not restarting`,
        });
        assert.equal(rds.commandCalls(RebootDBInstanceCommand).length, 0);
        assert.equal(rds.commandCalls(ModifyDBInstanceCommand).length, 0);
        assert.deepEqual(clock.sleeps, []);
    });

    it('"when-pending" leaves a CA change alone when ApplyImmediately would apply other pending modifications too', async () => {
        describes(instance("available", { PendingModifiedValues: { CACertificateIdentifier: "rds-ca-ecc384-g1", DBInstanceClass: "db.r6g.large" } }));
        const result = await run(RdsRestartPolicy.WhenPending);
        assert.deepEqual(result.warnings, [
            `RDS instance ${ID}: the pending CA certificate change rds-ca-rsa2048-g1 -> rds-ca-ecc384-g1 was not applied: ModifyDBInstance with ` +
                `ApplyImmediately would also apply at once the other pending modifications (DBInstanceClass). It applies in the maintenance window; ` +
                `to apply all of them now: aws rds modify-db-instance --db-instance-identifier ${ID} --ca-certificate-identifier rds-ca-ecc384-g1 --apply-immediately`,
        ]);
        assert.equal(result.rebooted, false);
        assert.equal(rds.commandCalls(ModifyDBInstanceCommand).length, 0);
        assert.equal(rds.commandCalls(RebootDBInstanceCommand).length, 0);
    });

    it('"when-pending" leaves a CA change alone when its restart would apply a pending-reboot parameter group', async () => {
        describes(instance("available", { ...pendingCa, ...pendingParameters }));
        parameters();
        const result = await run(RdsRestartPolicy.WhenPending);
        assert.deepEqual(result.warnings, [
            `RDS instance ${ID}: the pending CA certificate change rds-ca-rsa2048-g1 -> rds-ca-ecc384-g1 was not applied: the restart that rotates the ` +
                `certificate would also apply what DB parameter group prod-pg16 waits for (pending-reboot), which may have nothing to do with TLS. ` +
                `It applies in the maintenance window; to let the hook apply it with that restart, set database.restart to "when-pending-or-parameters"`,
            notRebootedForGroup("when-pending"),
        ]);
        assert.equal(rds.commandCalls(ModifyDBInstanceCommand).length, 0);
        assert.equal(rds.commandCalls(RebootDBInstanceCommand).length, 0);
    });

    it('"when-pending" with nothing pending does nothing, and says what waits for the maintenance window', async () => {
        describes(instance("available", { PendingModifiedValues: { DBInstanceClass: "db.r6g.large" } }));
        const clock = fakeClock();
        const result = await run(RdsRestartPolicy.WhenPending, { clock });
        assert.deepEqual(result, {
            rebooted: false,
            reasons: [],
            warnings: [
                `RDS instance ${ID}: pending for the maintenance window, which the hook does not apply: DBInstanceClass ` +
                    `(aws rds modify-db-instance --db-instance-identifier ${ID} --apply-immediately applies them at once)`,
            ],
            message: `RDS instance ${ID}: nothing restart policy "when-pending" applies is pending; not restarting`,
        });
        assert.deepEqual(rds.calls().length, 1);
        assert.deepEqual(clock.sleeps, []);
    });

    it('"when-pending-or-parameters" reboots for a pending-reboot parameter group, naming what it knows', async () => {
        describes(instance("available", pendingParameters), instance("rebooting"), instance("available"));
        parameters();
        rds.on(RebootDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: "rebooting" } });
        const result = await run(RdsRestartPolicy.WhenPendingOrParameters);
        const reason = `DB parameter group prod-pg16 is pending-reboot (${GROUP_NOTE})`;
        assert.deepEqual(result, {
            rebooted: true,
            reasons: [reason],
            warnings: [],
            message: `RDS instance ${ID} was rebooted (${reason}) and is available again`,
        });
        assert.deepEqual(rds.commandCalls(RebootDBInstanceCommand).map((c) => c.args[0].input), [{ DBInstanceIdentifier: ID }]);
        assert.equal(rds.commandCalls(ModifyDBInstanceCommand).length, 0);
    });

    it('"when-pending-or-parameters" applies a CA change first, and reboots only if the group still waits after its restart', async () => {
        // The certificate's restart applied the parameters: no reboot.
        describes(instance("available", { ...pendingCa, ...pendingParameters }), instance("rebooting", rotated), instance("available", rotated));
        parameters();
        rds.on(ModifyDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: "modifying" } });
        let result = await run(RdsRestartPolicy.WhenPendingOrParameters);
        assert.deepEqual([result.appliedCaCertificate, result.rebooted], ["rds-ca-ecc384-g1", false]);
        assert.equal(rds.commandCalls(RebootDBInstanceCommand).length, 0);

        // It did not (rotation without restart): reboot.
        rds.reset();
        describes(
            instance("available", { ...pendingCa, ...pendingParameters }),
            instance("available", { ...rotated, ...pendingParameters }),
            instance("rebooting", rotated),
            instance("available", rotated),
        );
        parameters();
        rds.on(ModifyDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: "modifying" } });
        rds.on(RebootDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: "rebooting" } });
        result = await run(RdsRestartPolicy.WhenPendingOrParameters);
        const reason = `DB parameter group prod-pg16 is pending-reboot (${GROUP_NOTE})`;
        assert.deepEqual(result, {
            rebooted: true,
            appliedCaCertificate: "rds-ca-ecc384-g1",
            reasons: [CA_CHANGE, reason],
            warnings: [],
            message: `RDS instance ${ID}: CA certificate rds-ca-ecc384-g1 applied, then rebooted (${reason}) and is available again`,
        });
        assert.deepEqual(rds.commandCalls(ModifyDBInstanceCommand).map((c) => c.args[0].input), [MODIFY_CA]);
        assert.equal(rds.commandCalls(RebootDBInstanceCommand).length, 1);
    });

    it('"always" reboots an instance without pending changes', async () => {
        describes(instance("available"), instance("rebooting"), instance("available"));
        rds.on(RebootDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: "rebooting" } });
        const result = await run(RdsRestartPolicy.Always);
        assert.deepEqual(result, {
            rebooted: true,
            reasons: ['restart policy is "always"'],
            warnings: [],
            message: `RDS instance ${ID} was rebooted (restart policy is "always") and is available again`,
        });
        assert.equal(rds.commandCalls(RebootDBInstanceCommand).length, 1);
    });

    it('"always" restarts once: by applying a pending CA change, not by a reboot that would not apply it', async () => {
        describes(instance("available", pendingCa), instance("available", rotated));
        rds.on(ModifyDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: "modifying" } });
        const result = await run(RdsRestartPolicy.Always);
        assert.deepEqual([result.appliedCaCertificate, result.rebooted], ["rds-ca-ecc384-g1", false]);
        assert.deepEqual(rds.commandCalls(ModifyDBInstanceCommand).map((c) => c.args[0].input), [MODIFY_CA]);
        assert.equal(rds.commandCalls(RebootDBInstanceCommand).length, 0);
    });

    it('"always" reboots, and reports the CA change it cannot apply without applying other modifications', async () => {
        const blocked = { PendingModifiedValues: { CACertificateIdentifier: "rds-ca-ecc384-g1", EngineVersion: "16.4" } };
        describes(instance("available", blocked), instance("rebooting", blocked), instance("available", blocked));
        rds.on(RebootDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: "rebooting" } });
        const result = await run(RdsRestartPolicy.Always);
        assert.equal(result.rebooted, true);
        assert.equal(result.warnings.length, 1);
        assert.match(result.warnings[0], /^RDS instance prod-postgres: the pending CA certificate change rds-ca-rsa2048-g1 -> rds-ca-ecc384-g1 was not applied: .*\(EngineVersion\)/);
        assert.equal(rds.commandCalls(ModifyDBInstanceCommand).length, 0);
    });

    it('"never" makes no AWS call at all', async () => {
        const result = await run(RdsRestartPolicy.Never);
        assert.deepEqual(result, { rebooted: false, reasons: [], warnings: [], message: `RDS instance ${ID}: restart policy is "never"; not touching it` });
        assert.equal(rds.calls().length, 0);
    });

    it("an unknown policy is refused before any call", async () => {
        await assert.rejects(run("sometimes" as RdsRestartPolicy), {
            message: `RDS instance ${ID}: unknown restart policy "sometimes" (expected when-pending, when-pending-or-parameters, always, never)`,
        });
        assert.equal(rds.calls().length, 0);
    });

    it("waits for a busy instance to become available before deciding", async () => {
        describes(instance("modifying", pendingCa), instance("backing-up", pendingCa), instance("available", pendingCa), instance("available", rotated));
        rds.on(ModifyDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: "modifying" } });
        const clock = fakeClock();
        const result = await run(RdsRestartPolicy.WhenPending, { clock });
        assert.equal(result.appliedCaCertificate, "rds-ca-ecc384-g1");
        assert.equal(rds.commandCalls(ModifyDBInstanceCommand).length, 1);
        assert.equal(rds.commandCalls(DescribeDBInstancesCommand).length, 4);
        assert.equal(clock.sleeps.length, 3);
    });

    it("decides at once for a long, unrelated busy status when nothing the policy applies is pending", async () => {
        describes(instance("storage-optimization", pendingParameters));
        parameters();
        const clock = fakeClock();
        const result = await run(RdsRestartPolicy.WhenPending, { clock });
        assert.deepEqual(result, {
            rebooted: false,
            reasons: [],
            warnings: [notRebootedForGroup("when-pending")],
            message: `RDS instance ${ID} is storage-optimization and nothing restart policy "when-pending" applies is pending; not restarting`,
        });
        assert.equal(rds.commandCalls(DescribeDBInstancesCommand).length, 1);
        assert.equal(clock.sleeps.length, 0);
    });

    it("does not restart a stopped instance and says why", async () => {
        describes(instance("stopped", pendingCa));
        const result = await run(RdsRestartPolicy.Always);
        assert.equal(result.rebooted, false);
        assert.deepEqual(result.warnings, [`RDS instance ${ID} is stopped: not restarting it; pending changes apply when it starts`]);
        assert.equal(rds.calls().length, 1);
    });

    it("fails, bounded, when the instance never becomes available before the decision", async () => {
        describes(instance("modifying", pendingCa));
        const clock = fakeClock();
        await assert.rejects(run(RdsRestartPolicy.WhenPending, { timeoutMs: 5 * 60_000, clock }), {
            message:
                `RDS instance ${ID} did not become available within 5 minutes (last status: modifying), so the restart hook could not decide ` +
                `whether to restart it. The endpoint is provisioned; once the instance is available, check its pending changes ` +
                `(aws rds describe-db-instances --db-instance-identifier ${ID}) and apply them by hand if needed`,
        });
        // 5 minutes of 15-second polls: 20 waits, then the deadline.
        assert.equal(clock.sleeps.length, 20);
        assert.equal(rds.calls().length, 21);
    });

    it("fails, bounded, when the instance does not get its new CA certificate in time", async () => {
        describes(instance("available", pendingCa), instance("modifying", pendingCa));
        rds.on(ModifyDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: "modifying" } });
        const clock = fakeClock();
        await assert.rejects(run(RdsRestartPolicy.WhenPending, { clock }), {
            message:
                `RDS instance ${ID}: the CA certificate change to rds-ca-ecc384-g1 was requested (ModifyDBInstance, ApplyImmediately) but the instance ` +
                `was not available with it within 20 minutes (last status: modifying, CA: rds-ca-rsa2048-g1). The endpoint is provisioned; watch the ` +
                `instance (aws rds describe-db-instances --db-instance-identifier ${ID}), and raise database.restartTimeoutMinutes if its restarts take longer`,
        });
        assert.equal(clock.sleeps.length, TWENTY_MINUTES / RDS_REBOOT.pollIntervalMs);
    });

    it("fails, bounded, when the instance is not available again after the reboot", async () => {
        describes(instance("available"), instance("rebooting"));
        rds.on(RebootDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: "rebooting" } });
        const clock = fakeClock();
        await assert.rejects(run(RdsRestartPolicy.Always, { clock }), {
            message:
                `RDS instance ${ID} was rebooted (restart policy is "always") but was not available again within 20 minutes (last status: rebooting). ` +
                `The endpoint is provisioned; watch the instance (aws rds describe-db-instances --db-instance-identifier ${ID}), and raise ` +
                `database.restartTimeoutMinutes if its reboots take longer`,
        });
        assert.equal(clock.sleeps.length, TWENTY_MINUTES / RDS_REBOOT.pollIntervalMs);
    });

    it("fails at once when a restart leaves the instance in a status it does not leave by waiting", async () => {
        describes(instance("available", pendingParameters), instance("rebooting"), instance("incompatible-parameters"));
        parameters();
        rds.on(RebootDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: "rebooting" } });
        const clock = fakeClock();
        await assert.rejects(run(RdsRestartPolicy.WhenPendingOrParameters, { clock }), {
            message:
                `RDS instance ${ID} is in status "incompatible-parameters" after its reboot, which it does not leave by waiting; ` +
                `see its events in the RDS console (aws rds describe-events --source-type db-instance --source-identifier ${ID})`,
        });
        assert.equal(clock.sleeps.length, 2);
    });

    it("counts an instance as back after the settle time when no poll caught it rebooting", async () => {
        describes(instance("available"));
        rds.on(RebootDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: "available" } });
        const clock = fakeClock();
        const result = await run(RdsRestartPolicy.Always, { clock });
        assert.equal(result.rebooted, true);
        assert.deepEqual(clock.sleeps, Array(RDS_REBOOT.settleMs / RDS_REBOOT.pollIntervalMs).fill(RDS_REBOOT.pollIntervalMs));
    });

    it("when RDS refuses the change because the instance changed state, waits and decides again", async () => {
        describes(instance("available", pendingCa), instance("modifying"), instance("available", rotated));
        rds.on(ModifyDBInstanceCommand).rejects(
            new InvalidDBInstanceStateFault({ message: "Instance prod-postgres is not in available state.", $metadata: {} }),
        );
        const logged: string[] = [];
        const result = await run(RdsRestartPolicy.WhenPending, { log: (m) => logged.push(m) });
        // Someone else applied it meanwhile: nothing is pending any more.
        assert.deepEqual([result.rebooted, result.appliedCaCertificate], [false, undefined]);
        assert.equal(rds.commandCalls(ModifyDBInstanceCommand).length, 1);
        assert.deepEqual(logged, [
            `RDS instance ${ID} cannot be changed right now (InvalidDBInstanceStateFault: Instance prod-postgres is not in available state.); waiting and deciding again`,
            `RDS instance ${ID} is modifying; waiting for it to be available before deciding whether to restart it`,
        ]);
    });

    it("fails naming the instance when it does not exist", async () => {
        rds.on(DescribeDBInstancesCommand).rejects(new DBInstanceNotFoundFault({ message: `DBInstance ${ID} not found.`, $metadata: {} }));
        await assert.rejects(run(RdsRestartPolicy.Always), {
            message: `RDS instance ${ID} was not found in this account and region (DBInstanceNotFoundFault: DBInstance ${ID} not found.); check aws:region and the identifier`,
        });
    });

    it("fails quoting AWS when a call is refused for another reason", async () => {
        describes(instance("available", pendingCa));
        rds.on(ModifyDBInstanceCommand).rejects(Object.assign(new Error("User is not authorized to perform: rds:ModifyDBInstance"), { name: "AccessDenied" }));
        await assert.rejects(run(RdsRestartPolicy.WhenPending), {
            message: `RDS instance ${ID}: ModifyDBInstance (CACertificateIdentifier rds-ca-ecc384-g1, ApplyImmediately) failed: AccessDenied: User is not authorized to perform: rds:ModifyDBInstance`,
        });
        rds.reset();
        describes(instance("available"));
        rds.on(RebootDBInstanceCommand).rejects(Object.assign(new Error("User is not authorized to perform: rds:RebootDBInstance"), { name: "AccessDenied" }));
        await assert.rejects(run(RdsRestartPolicy.Always), {
            message: `RDS instance ${ID}: RebootDBInstance failed: AccessDenied: User is not authorized to perform: rds:RebootDBInstance`,
        });
    });

    it("warns when a parameter group is still pending-reboot after the reboot", async () => {
        describes(instance("available", pendingParameters), instance("rebooting"), instance("available", pendingParameters));
        parameters();
        rds.on(RebootDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: "rebooting" } });
        const result = await run(RdsRestartPolicy.WhenPendingOrParameters);
        assert.equal(result.rebooted, true);
        assert.deepEqual(result.warnings, [
            `RDS instance ${ID} was rebooted but DB parameter group prod-pg16 is still pending-reboot; see its events ` +
                `(aws rds describe-events --source-type db-instance --source-identifier ${ID})`,
        ]);
        // No second reboot: the hook never loops on a change a reboot did not apply.
        assert.equal(rds.commandCalls(RebootDBInstanceCommand).length, 1);
    });
});
