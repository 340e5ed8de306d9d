/**
 * Entry point of the `db-endpoints` Pulumi program (Pulumi.yaml `main`). The program runs inside the
 * exported function, so importing this module registers nothing.
 */
import { main } from "./stack";

export = async () => main();
