/**
 * The contract of expiring allowlist entries between the program and the upkeep function: the tag's value (an
 * instant in ISO 8601 UTC, to the second), when a rule is due, and the file listing the security groups to watch.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    EXPIRES_TAG_KEY,
    expiringRulesFileText,
    expiryInstant,
    formatExpiry,
    isExpired,
    parseExpiringRulesFile,
} from "../../infra/lambda/targetSync/expiredRules";

describe("the db-endpoints:expires tag", () => {
    it("is named db-endpoints:expires", () => {
        assert.equal(EXPIRES_TAG_KEY, "db-endpoints:expires");
    });

    it("names an instant as YYYY-MM-DDTHH:MM:SSZ, and only so", () => {
        assert.equal(expiryInstant("2027-02-01T00:00:00Z"), Date.UTC(2027, 1, 1));
        assert.equal(expiryInstant("2028-02-29T23:59:59Z"), Date.UTC(2028, 1, 29, 23, 59, 59));
        for (const unreadable of [
            "2027-02-01",
            "2027-02-01T00:00Z",
            "2027-02-01T00:00:00.000Z",
            "2027-02-01T00:00:00+00:00",
            "2027-02-01 00:00:00Z",
            "2027-02-30T00:00:00Z",
            "2027-02-29T00:00:00Z",
            "2027-13-01T00:00:00Z",
            "2027-02-01T24:00:00Z",
            " 2027-02-01T00:00:00Z",
            "",
        ]) {
            assert.equal(expiryInstant(unreadable), undefined, unreadable);
        }
    });

    it("is written by formatExpiry, to the second, and read back", () => {
        assert.equal(formatExpiry(Date.UTC(2027, 1, 1)), "2027-02-01T00:00:00Z");
        assert.equal(formatExpiry(Date.UTC(2027, 1, 1, 8, 30, 15, 999)), "2027-02-01T08:30:15Z");
        assert.equal(expiryInstant(formatExpiry(Date.UTC(2030, 11, 31, 23, 59, 59))), Date.UTC(2030, 11, 31, 23, 59, 59));
    });

    it("makes a rule due at its instant, not before", () => {
        const at = Date.UTC(2027, 1, 1);
        assert.equal(isExpired(at, at - 1), false);
        assert.equal(isExpired(at, at), true);
        assert.equal(isExpired(at, at + 1), true);
    });
});

describe("the expiring-rules file", () => {
    it("lists the security groups sorted, and is read back", () => {
        const text = expiringRulesFileText(["sg-0b00000000000000b", "sg-0a00000000000000a"]);
        assert.equal(text, '{\n  "securityGroupIds": [\n    "sg-0a00000000000000a",\n    "sg-0b00000000000000b"\n  ]\n}\n');
        assert.deepEqual(parseExpiringRulesFile(text), ["sg-0a00000000000000a", "sg-0b00000000000000b"]);
    });

    it("is refused whole, every problem named", () => {
        assert.throws(() => parseExpiringRulesFile("[]"), { message: "expiring-rules.json is invalid: securityGroupIds: undefined is not a list of security group IDs" });
        assert.throws(() => parseExpiringRulesFile(JSON.stringify({ securityGroupIds: ["sg-0a00000000000000a", "sg-0a00000000000000a", "vpc-0a1b2c3d"] })), {
            message: 'expiring-rules.json is invalid: securityGroupIds[1]: "sg-0a00000000000000a" is listed twice; securityGroupIds[2]: "vpc-0a1b2c3d" is not a security group ID',
        });
    });
});
