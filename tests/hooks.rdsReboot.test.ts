/**
 * The RDS reboot hook's logic (infra/hooks/rdsReboot.ts) against a mocked RDSClient and a fake clock: whether
 * it reboots for each policy and instance state, how it waits, its bound, and the errors it raises.
 */
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import {
    DBInstance,
    DBInstanceNotFoundFault,
    DescribeDBInstancesCommand,
    InvalidDBInstanceStateFault,
    RDSClient,
    RebootDBInstanceCommand,
} from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import { pendingMaintenanceChanges, pendingRebootReasons, RDS_REBOOT, rebootIfNeeded, RdsRestartPolicy } from "../infra/hooks/rdsReboot";
import { makeFakeClock } from "./support/fakeClock";

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
const pendingParameters = { DBParameterGroups: [{ DBParameterGroupName: "prod-pg16", ParameterApplyStatus: "pending-reboot" }] };

/** Describe answers in order; the last one repeats. */
function describes(...answers: ReturnType<typeof instance>[]): void {
    const stub = rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: ID });
    answers.slice(0, -1).forEach((a) => stub.resolvesOnce(a));
    stub.resolves(answers[answers.length - 1]);
}

const TWENTY_MINUTES = 20 * 60_000;

beforeEach(() => rds.reset());

describe("pendingRebootReasons and pendingMaintenanceChanges", () => {
    it("name a pending CA change and parameter groups in pending-reboot, and nothing else", () => {
        const i = instance("available", {
            PendingModifiedValues: { CACertificateIdentifier: "rds-ca-ecc384-g1", DBInstanceClass: "db.r6g.large", AllocatedStorage: 200 },
            DBParameterGroups: [
                { DBParameterGroupName: "a", ParameterApplyStatus: "pending-reboot" },
                { DBParameterGroupName: "b", ParameterApplyStatus: "applying" },
            ],
        }).DBInstances[0];
        assert.deepEqual(pendingRebootReasons(i), [
            "CA certificate change rds-ca-rsa2048-g1 -> rds-ca-ecc384-g1 is pending",
            "DB parameter group a is pending-reboot",
        ]);
        assert.deepEqual(pendingMaintenanceChanges(i), ["AllocatedStorage", "DBInstanceClass"]);
        assert.deepEqual(pendingRebootReasons(instance("available").DBInstances[0]), []);
    });
});

describe("rebootIfNeeded", () => {
    it('"when-pending" does not reboot an instance without pending changes, and says what waits for the maintenance window', async () => {
        describes(instance("available", { PendingModifiedValues: { DBInstanceClass: "db.r6g.large" } }));
        const clock = fakeClock();
        const result = await rebootIfNeeded(client, { dbInstanceIdentifier: ID, policy: RdsRestartPolicy.WhenPending, timeoutMs: TWENTY_MINUTES, clock });
        assert.deepEqual(result, {
            rebooted: false,
            reasons: [],
            warnings: [],
            message: `RDS instance ${ID}: no pending change needs a reboot; not rebooting; pending for the maintenance window, which a reboot does not apply: DBInstanceClass`,
        });
        assert.equal(rds.commandCalls(RebootDBInstanceCommand).length, 0);
        assert.equal(rds.commandCalls(DescribeDBInstancesCommand).length, 1);
        assert.deepEqual(clock.sleeps, []);
    });

    it('"when-pending" reboots for a pending CA change and waits until the instance is available again', async () => {
        describes(instance("available", pendingCa), instance("rebooting"), instance("rebooting"), instance("available"));
        rds.on(RebootDBInstanceCommand).resolves({ DBInstance: { DBInstanceIdentifier: ID, DBInstanceStatus: "rebooting" } });
        const clock = fakeClock();
        const logged: string[] = [];
        const result = await rebootIfNeeded(client, {
            dbInstanceIdentifier: ID,
            policy: RdsRestartPolicy.WhenPending,
            timeoutMs: TWENTY_MINUTES,
            clock,
            log: (m) => logged.push(m),
        });
        assert.equal(result.rebooted, true);
        assert.deepEqual(result.reasons, ["CA certificate change rds-ca-rsa2048-g1 -> rds-ca-ecc384-g1 is pending"]);
        assert.deepEqual(result.warnings, []);
        assert.equal(result.message, `RDS instance ${ID} was rebooted (CA certificate change rds-ca-rsa2048-g1 -> rds-ca-ecc384-g1 is pending) and is available again`);
        const reboots = rds.commandCalls(RebootDBInstanceCommand);
        assert.equal(reboots.length, 1);
        assert.deepEqual(reboots[0].args[0].input, { DBInstanceIdentifier: ID });
        assert.deepEqual(clock.sleeps, [RDS_REBOOT.pollIntervalMs, RDS_REBOOT.pollIntervalMs, RDS_REBOOT.pollIntervalMs]);
        assert.deepEqual(logged, [`rebooting RDS instance ${ID}: CA certificate change rds-ca-rsa2048-g1 -> rds-ca-ecc384-g1 is pending`]);
    });

    it('"when-pending" reboots for a DB parameter group in pending-reboot', async () => {
        describes(instance("available", pendingParameters), instance("available"));
        rds.on(RebootDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: "rebooting" } });
        const result = await rebootIfNeeded(client, { dbInstanceIdentifier: ID, policy: RdsRestartPolicy.WhenPending, timeoutMs: TWENTY_MINUTES, clock: fakeClock() });
        assert.equal(result.rebooted, true);
        assert.deepEqual(result.reasons, ["DB parameter group prod-pg16 is pending-reboot"]);
    });

    it('"always" reboots an instance without pending changes', async () => {
        describes(instance("available"), instance("rebooting"), instance("available"));
        rds.on(RebootDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: "rebooting" } });
        const result = await rebootIfNeeded(client, { dbInstanceIdentifier: ID, policy: RdsRestartPolicy.Always, timeoutMs: TWENTY_MINUTES, clock: fakeClock() });
        assert.equal(result.rebooted, true);
        assert.deepEqual(result.reasons, ['restart policy is "always"']);
        assert.equal(rds.commandCalls(RebootDBInstanceCommand).length, 1);
    });

    it('"never" makes no AWS call at all', async () => {
        const result = await rebootIfNeeded(client, { dbInstanceIdentifier: ID, policy: RdsRestartPolicy.Never, timeoutMs: TWENTY_MINUTES, clock: fakeClock() });
        assert.deepEqual(result, { rebooted: false, reasons: [], warnings: [], message: `RDS instance ${ID}: restart policy is "never"; not rebooting` });
        assert.equal(rds.calls().length, 0);
    });

    it("an unknown policy is refused before any call", async () => {
        await assert.rejects(
            rebootIfNeeded(client, { dbInstanceIdentifier: ID, policy: "sometimes" as RdsRestartPolicy, timeoutMs: TWENTY_MINUTES, clock: fakeClock() }),
            { message: `RDS instance ${ID}: unknown restart policy "sometimes" (expected when-pending, always, never)` },
        );
        assert.equal(rds.calls().length, 0);
    });

    it("waits for a busy instance to become available before deciding", async () => {
        describes(instance("modifying", pendingCa), instance("backing-up", pendingCa), instance("available", pendingCa), instance("rebooting"), instance("available"));
        rds.on(RebootDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: "rebooting" } });
        const clock = fakeClock();
        const result = await rebootIfNeeded(client, { dbInstanceIdentifier: ID, policy: RdsRestartPolicy.WhenPending, timeoutMs: TWENTY_MINUTES, clock });
        assert.equal(result.rebooted, true);
        assert.equal(rds.commandCalls(RebootDBInstanceCommand).length, 1);
        assert.equal(rds.commandCalls(DescribeDBInstancesCommand).length, 5);
        assert.equal(clock.sleeps.length, 4);
    });

    it("decides at once for a long, unrelated busy status with nothing pending (no wait for available)", async () => {
        describes(instance("storage-optimization"));
        const clock = fakeClock();
        const result = await rebootIfNeeded(client, { dbInstanceIdentifier: ID, policy: RdsRestartPolicy.WhenPending, timeoutMs: TWENTY_MINUTES, clock });
        assert.deepEqual(result, {
            rebooted: false,
            reasons: [],
            warnings: [],
            message: `RDS instance ${ID} is storage-optimization and no pending change needs a reboot; not rebooting`,
        });
        assert.equal(rds.commandCalls(DescribeDBInstancesCommand).length, 1);
        assert.equal(rds.commandCalls(RebootDBInstanceCommand).length, 0);
        assert.equal(clock.sleeps.length, 0);
    });

    it("does not reboot a stopped instance and says why", async () => {
        describes(instance("stopped", pendingCa));
        const result = await rebootIfNeeded(client, { dbInstanceIdentifier: ID, policy: RdsRestartPolicy.Always, timeoutMs: TWENTY_MINUTES, clock: fakeClock() });
        assert.equal(result.rebooted, false);
        assert.deepEqual(result.warnings, [`RDS instance ${ID} is stopped: not rebooting it; pending changes apply when it starts`]);
        assert.equal(rds.commandCalls(RebootDBInstanceCommand).length, 0);
    });

    it("fails, bounded, when the instance never becomes available before the decision", async () => {
        describes(instance("modifying", pendingCa));
        const clock = fakeClock();
        await assert.rejects(
            rebootIfNeeded(client, { dbInstanceIdentifier: ID, policy: RdsRestartPolicy.WhenPending, timeoutMs: 5 * 60_000, clock }),
            {
                message:
                    `RDS instance ${ID} did not become available within 5 minutes (last status: modifying), so the restart hook could not decide ` +
                    `whether to reboot it. The endpoint is provisioned; once the instance is available, check its pending changes ` +
                    `(aws rds describe-db-instances --db-instance-identifier ${ID}) and reboot it by hand if it needs one`,
            },
        );
        // 5 minutes of 15-second polls: 20 waits, then the deadline.
        assert.equal(clock.sleeps.length, 20);
        assert.equal(rds.commandCalls(RebootDBInstanceCommand).length, 0);
    });

    it("fails, bounded, when the instance is not available again after the reboot", async () => {
        describes(instance("available", pendingCa), instance("rebooting"));
        rds.on(RebootDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: "rebooting" } });
        const clock = fakeClock();
        await assert.rejects(
            rebootIfNeeded(client, { dbInstanceIdentifier: ID, policy: RdsRestartPolicy.WhenPending, timeoutMs: TWENTY_MINUTES, clock }),
            {
                message:
                    `RDS instance ${ID} was rebooted (CA certificate change rds-ca-rsa2048-g1 -> rds-ca-ecc384-g1 is pending) but was not available ` +
                    `again within 20 minutes (last status: rebooting). The endpoint is provisioned; watch the instance ` +
                    `(aws rds describe-db-instances --db-instance-identifier ${ID}), and raise database.restartTimeoutMinutes if its reboots take longer`,
            },
        );
        assert.equal(clock.sleeps.length, TWENTY_MINUTES / RDS_REBOOT.pollIntervalMs);
    });

    it("fails at once when the reboot leaves the instance in a status it does not leave by waiting", async () => {
        describes(instance("available", pendingParameters), instance("rebooting"), instance("incompatible-parameters"));
        rds.on(RebootDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: "rebooting" } });
        const clock = fakeClock();
        await assert.rejects(
            rebootIfNeeded(client, { dbInstanceIdentifier: ID, policy: RdsRestartPolicy.WhenPending, timeoutMs: TWENTY_MINUTES, clock }),
            {
                message:
                    `RDS instance ${ID} is in status "incompatible-parameters" after its reboot, which it does not leave by waiting; ` +
                    `see its events in the RDS console (aws rds describe-events --source-type db-instance --source-identifier ${ID})`,
            },
        );
        assert.equal(clock.sleeps.length, 2);
    });

    it("counts an instance as back after the settle time when no poll caught it rebooting", async () => {
        describes(instance("available", pendingCa), instance("available"));
        rds.on(RebootDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: "available" } });
        const clock = fakeClock();
        const result = await rebootIfNeeded(client, { dbInstanceIdentifier: ID, policy: RdsRestartPolicy.WhenPending, timeoutMs: TWENTY_MINUTES, clock });
        assert.equal(result.rebooted, true);
        assert.deepEqual(clock.sleeps, Array(RDS_REBOOT.settleMs / RDS_REBOOT.pollIntervalMs).fill(RDS_REBOOT.pollIntervalMs));
    });

    it("when RDS refuses the reboot because the instance changed state, waits and decides again", async () => {
        describes(instance("available", pendingCa), instance("modifying"), instance("available"));
        rds.on(RebootDBInstanceCommand).rejects(
            new InvalidDBInstanceStateFault({ message: "Instance prod-postgres is not in available state.", $metadata: {} }),
        );
        const clock = fakeClock();
        const logged: string[] = [];
        const result = await rebootIfNeeded(client, {
            dbInstanceIdentifier: ID,
            policy: RdsRestartPolicy.WhenPending,
            timeoutMs: TWENTY_MINUTES,
            clock,
            log: (m) => logged.push(m),
        });
        // Someone else rebooted it: nothing is pending any more.
        assert.equal(result.rebooted, false);
        assert.equal(rds.commandCalls(RebootDBInstanceCommand).length, 1);
        assert.deepEqual(logged, [
            `RDS instance ${ID} cannot be rebooted right now (InvalidDBInstanceStateFault: Instance prod-postgres is not in available state.); waiting and deciding again`,
            `RDS instance ${ID} is modifying; waiting for it to be available before deciding whether to reboot it`,
        ]);
    });

    it("fails naming the instance when it does not exist", async () => {
        rds.on(DescribeDBInstancesCommand).rejects(new DBInstanceNotFoundFault({ message: `DBInstance ${ID} not found.`, $metadata: {} }));
        await assert.rejects(
            rebootIfNeeded(client, { dbInstanceIdentifier: ID, policy: RdsRestartPolicy.Always, timeoutMs: TWENTY_MINUTES, clock: fakeClock() }),
            { message: `RDS instance ${ID} was not found in this account and region (DBInstanceNotFoundFault: DBInstance ${ID} not found.); check aws:region and the identifier` },
        );
    });

    it("fails quoting AWS when the reboot call is refused for another reason", async () => {
        describes(instance("available", pendingCa));
        const denied = Object.assign(new Error("User is not authorized to perform: rds:RebootDBInstance"), { name: "AccessDenied" });
        rds.on(RebootDBInstanceCommand).rejects(denied);
        await assert.rejects(
            rebootIfNeeded(client, { dbInstanceIdentifier: ID, policy: RdsRestartPolicy.WhenPending, timeoutMs: TWENTY_MINUTES, clock: fakeClock() }),
            { message: `RDS instance ${ID}: RebootDBInstance failed: AccessDenied: User is not authorized to perform: rds:RebootDBInstance` },
        );
    });

    it("warns when a change is still pending after the reboot", async () => {
        describes(instance("available", pendingCa), instance("rebooting"), instance("available", pendingCa));
        rds.on(RebootDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: "rebooting" } });
        const result = await rebootIfNeeded(client, { dbInstanceIdentifier: ID, policy: RdsRestartPolicy.WhenPending, timeoutMs: TWENTY_MINUTES, clock: fakeClock() });
        assert.equal(result.rebooted, true);
        assert.deepEqual(result.warnings, [
            `RDS instance ${ID} was rebooted but still reports: CA certificate change rds-ca-rsa2048-g1 -> rds-ca-ecc384-g1 is pending. ` +
                "RDS applies such a change in the maintenance window, or at once with aws rds modify-db-instance --apply-immediately",
        ]);
        // No second reboot: the hook never loops on a change a reboot does not apply.
        assert.equal(rds.commandCalls(RebootDBInstanceCommand).length, 1);
    });
});
