/**
 * Entry point of the `db-endpoints` Pulumi program (Pulumi.yaml `main`). The program runs inside the
 * exported function, so importing this module registers nothing; it refuses a Pulumi CLI too old for its
 * restart hooks before it registers anything.
 */
import { requirePulumiCli } from "./pulumiVersion";
import { main } from "./program/main";

export = async () => {
    await requirePulumiCli();
    return main();
};
