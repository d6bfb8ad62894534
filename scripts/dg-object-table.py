#!/usr/bin/env python3
"""Turn the AWS Data Pipeline Developer Guide's object reference into a table.

Usage:
    scripts/dg-object-table.py PATH [--rev REV] [-o OUT]

PATH is a checkout of awsdocs/aws-data-pipeline-developer-guide (a folder
holding doc_source/) or its bare git directory (as `fetch` leaves it under
/work/.mirror/). In a git directory the newest commit reachable from REV
(default HEAD) that still has doc_source/dp-object-schedule.md is read: the
archived repository's last commit (0eb069c, "Update README.md and delete
content directory") removed every page, so its HEAD has nothing to read.

Writes the JSON committed as crates/dpconform-reference/data/object-types.json
(to stdout, or to OUT).

How the table is made:
- Every page of doc_source/ with tables headed "... | Description | Slot Type |"
  is an object type page (doc_source/dp-object-*.md, plus
  dp-dynamodbdataexists.md and dp-dynamodbtableexists.md). Its tables
  ("Object Invocation Fields", "Required Fields", "Required Group (One of the
  following is required)", "Optional Fields", "Runtime Fields", "System
  Fields") are parsed mechanically into fields, groups and kinds.
- The category of a type is the category page that links to it
  (dp-object-datanodes.md, ...).
- Enumeration values are read from the description ("Values are: ...").
- Reference targets come from the placeholder in the slot type's example
  ("runsOn":{"ref":"myResourceId"} -> the resource types), narrowed where the
  description names the types.
- Fields given as JSON lists in the page's own examples are marked repeatable.
- What the tables cannot say comes from the OVERRIDES section, one comment
  each, read by hand from the page named there.

Then three entries without a reference page of their own: Default
(dp-writing-pipeline-definition.md), Parameter (dp-custom-templates.md, its
"Parameter Attributes" table) and the EBS types that only
emrcluster-example-ebs.md shows.
"""

import argparse
import json
import os
import re
import subprocess
import sys

REPO = "awsdocs/aws-data-pipeline-developer-guide"
PROBE = "doc_source/dp-object-schedule.md"

# --------------------------------------------------------------------------
# Reading the guide
# --------------------------------------------------------------------------


class Source:
    """doc_source/ pages from a checkout or from a commit of a git directory."""

    def __init__(self, path, rev):
        self.git_dir = None
        self.commit = None
        if os.path.isdir(os.path.join(path, "doc_source")):
            self.root = os.path.join(path, "doc_source")
            if os.path.exists(os.path.join(path, ".git")):
                self.commit = subprocess.run(
                    ["git", "-C", path, "rev-parse", "HEAD"], capture_output=True, text=True
                ).stdout.strip() or None
        else:
            self.git_dir = path
            self.commit = self._find_commit(rev)

    def _git(self, *args):
        return subprocess.run(
            ["git", "--git-dir", self.git_dir, *args], check=True, capture_output=True, text=True
        ).stdout

    def _find_commit(self, rev):
        for commit in self._git("rev-list", rev).split():
            if self._git("ls-tree", "--name-only", commit, PROBE).strip():
                return commit
        sys.exit(f"no commit reachable from {rev} has {PROBE}")

    def names(self):
        if self.git_dir:
            out = self._git("ls-tree", "--name-only", self.commit, "doc_source/")
            return sorted(os.path.basename(n) for n in out.split())
        return sorted(os.listdir(self.root))

    def read(self, name):
        if self.git_dir:
            return self._git("show", f"{self.commit}:doc_source/{name}")
        with open(os.path.join(self.root, name), encoding="utf-8") as f:
            return f.read()


def unescape(text):
    """Undo the guide's markdown escaping (`\\.`, `\\(`, `\\_`, ...)."""
    return re.sub(r"\\(.)", r"\1", text).strip()


# Table headings and what their rows are.
SECTIONS = {
    "Object Invocation Fields": "invocation",
    "Required Fields": "required",
    "Required Group (One of the following is required)": "required_group",
    # dp-object-hiveactivity.md's second group table is headed only
    # "Required Group" (see the HiveActivity note).
    "Required Group": "required_group",
    "Optional Fields": "optional",
    "Runtime Fields": "runtime",
    "System Fields": "system",
}


def split_row(line):
    cells = line.strip()
    assert cells.startswith("|") and cells.endswith("|"), line
    return [c.strip() for c in cells[1:-1].split(" | ")]


def tables(text, header_tail="| Description | Slot Type |"):
    """Yields (heading, [row cells]) per table whose header ends so."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("| ") and header_tail in line:
            heading = unescape(split_row(line)[0])
            rows = []
            i += 2  # the header and the | --- | line
            while i < len(lines) and lines[i].startswith("| "):
                cells = [unescape(c) for c in split_row(lines[i])]
                if len(cells) != 3:
                    raise SystemExit(f"row with {len(cells)} cells: {lines[i]!r}")
                rows.append(cells)
                i += 1
            yield heading, rows
        else:
            i += 1


SLOT_KINDS = {
    "String": "string",
    "DateTime": "datetime",
    "Period": "period",
    "Integer": "integer",
    "Double": "double",
    "Boolean": "boolean",
    "Enumeration": "enum",
}


def slot_kind(slot):
    if slot.startswith("Reference Object"):
        return "ref"
    if slot in SLOT_KINDS:
        return SLOT_KINDS[slot]
    # EmrCluster.serviceAccessSecurityGroupId: "String. It follows the form of sg-01XXXX6a, ..."
    if slot.startswith("String."):
        return "string"
    raise SystemExit(f"unknown slot type {slot!r}")


def ref_placeholder(slot):
    """The placeholder id in the slot type's example ("myActionId")."""
    m = re.search(r'ref["”]\s*:\s*["“]([^"”]+)', slot)
    return m.group(1) if m else None


def values_from_description(desc):
    """The values a description lists, in its order, or None.

    Reads "Values are: `cron`, `ondemand`, and `timeseries`", "Values are:
    cron, ondemand, and timeseries.", "Valid types are: A, B, and C.", "Valid
    values are: `A`, `B`, `C` and `D`", "Valid value is X, which ...",
    "Values are X or Y.", 'Valid values are "a" and "b".'
    """
    m = re.search(
        r"(?:Valid values are|Valid types are|The values are|Values are|Valid value is)\s*:?\s*(.*?)(?:\.(?=\s|$)|$)",
        desc,
    )
    if not m or "See the AWS documentation website" in m.group(1):
        return None
    listed = m.group(1)
    # 'Valid values are "retryall", which retries ..., and "retrynone"': keep the quoted values.
    quoted = re.findall(r'"([^"]+)"', listed)
    if quoted:
        return [q.rstrip(".") for q in quoted]
    listed = re.split(r",\s*which\b", listed)[0]
    parts = re.split(r",\s*(?:and|or)\s+|,\s*|\s+and\s+|\s+or\s+", listed)
    values = [p.strip().strip("`").strip() for p in parts if p.strip()]
    return values or None


# --------------------------------------------------------------------------
# Examples on the pages (for repeatable fields and keys outside the tables)
# --------------------------------------------------------------------------


def example_objects(text):
    """Objects with a "type" in the page's ``` blocks that parse as JSON
    once curly quotes and trailing commas are straightened out."""
    found = []
    for block in re.findall(r"```\n(.*?)```", text, re.S):
        cleaned = block.replace("“", '"').replace("”", '"')
        cleaned = re.sub(r",(\s*[}\]])", r"\1", cleaned).strip().rstrip(",")
        doc = None
        for candidate in (cleaned, f"[{cleaned}]"):
            try:
                doc = json.loads(candidate)
                break
            except ValueError:
                continue
        if doc is None:
            continue

        def walk(node):
            if isinstance(node, dict):
                if isinstance(node.get("type"), str):
                    found.append(node)
                for v in node.values():
                    walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)

        walk(doc)
    return found


# ==========================================================================
# OVERRIDES: what the tables do not say, each read by hand from the page.
# ==========================================================================

# The page title is not the type name for the data formats ("# CSV Data
# Format"); the type name is the one in each page's example ("type" : "CSV").
TYPE_NAMES = {
    "dp-object-csv": "CSV",
    "dp-object-custom": "Custom",
    "dp-object-regex": "RegEx",
    "dp-object-tsv": "TSV",
}

# Category index pages (dp-pipeline-objects.md links them) and their category.
CATEGORY_PAGES = {
    "dp-object-datanodes.md": "datanode",
    "dp-object-activities.md": "activity",
    "dp-object-resources.md": "resource",
    "dp-object-preconditions.md": "precondition",
    "dp-object-databases.md": "database",
    "dp-object-dataformats.md": "dataformat",
    "dp-object-actions.md": "action",
    "dp-object-utilities.md": "utility",
}

# Reference targets from the placeholder id in the slot type's example. A
# string names a category (all its types); a list names types; "any" is any
# object. refs_basis is then "example-id".
PLACEHOLDER_REFS = {
    "myScheduleId": ["Schedule"],
    "myActionId": "action",
    "myDataNodeId": "datanode",
    "myPreconditionId": "precondition",
    # Only runsOn uses it; every runsOn row is narrowed below by its description.
    "myResourceId": "resource",
    "myDatabaseId": "database",
    "myDataFormatId": "dataformat",
    "myEmrClusterId": ["EmrCluster"],
    "myRedshiftDatabaseId": ["RedshiftDatabase"],
    "myDynamoDBDataFormatId": ["DynamoDBDataFormat"],
    "myHttpProxyId": ["HttpProxy"],
    "myShellScriptConfigId": ["ShellScriptConfig"],
    "myEmrConfigurationId": ["EmrConfiguration"],
    "myPropertyId": ["Property"],
    # dependsOn: the descriptions say "another runnable object"; the
    # placeholder says activity. Kept, with a field note (RUNNABLE_NOTE).
    "myActivityId": "activity",
    # parent: "The parent of the current object from which slots will be inherited."
    "myBaseObjectId": "any",
    # EmrCluster's EBS fields: types with no reference page, shown only in
    # emrcluster-example-ebs.md (see EXAMPLE_ONLY_TYPES).
    "myEbsConfiguration": ["EbsConfiguration"],
    "myEbsBlockDeviceConfig": ["EbsBlockDeviceConfig"],
    "myVolumeSpecification": ["VolumeSpecification"],
}

RUNNABLE_NOTE = (
    "The description says 'another runnable object'; the slot type's example id is "
    "myActivityId. The guide does not list which types are runnable."
)

SCHEDULE_NOTE = (
    "The page calls schedule a requirement that may be met by setting it on the object, "
    "on Default, or on a parent. dp-concepts-schedules: 'On-demand pipelines require that "
    "you not use a schedule object'; dp-object-schedule shows an on-demand pipeline with a "
    "Schedule (period ONDEMAND_PERIOD, startAt ONDEMAND_ACTIVATION_TIME)."
)

# The Object Invocation Fields table holds only `schedule`. Its description
# says whether it is required; per page, the words that say so.
SCHEDULE_WORDING = {
    "CopyActivity": "Users must specify a schedule reference",
    "DynamoDBDataNode": "Users must specify a schedule reference",
    "HadoopActivity": "Users must specify a schedule reference",
    "HiveCopyActivity": "Users must specify a schedule reference",
    "MySqlDataNode": "Users must specify a schedule reference",
    "PigActivity": "Users must specify a schedule reference",
    "RedshiftDataNode": "Users must specify a schedule reference",
    "S3DataNode": "Users must specify a schedule reference",
    "SqlDataNode": "Users must specify a schedule reference",
    "SqlActivity": "You must specify a schedule reference",
    "EmrActivity": "You can satisfy this requirement",
    "EmrCluster": "You can satisfy this requirement",
    "HiveActivity": "You can satisfy this requirement",
    "ShellCommandActivity": "To satisfy this requirement",
    # Not required in so many words: "Specify a schedule reference ... In most
    # cases, we recommend to put the schedule reference on the default
    # pipeline object". Left optional (see the type note).
    "RedshiftCopyActivity": None,
    # "specify a schedule reference to another object. You can do this in one
    # of the following ways: [See the AWS documentation website ...]". Left
    # optional (see the type note).
    "Ec2Resource": None,
}

# Per (type, field): what the description says that the slot type does not.
# "refs" given here have refs_basis "description" unless stated.
EC2_OR_EMR = {"refs": ["Ec2Resource", "EmrCluster"], "refs_basis": "description"}
FIELD_OVERRIDES = {
    # runsOn, "The computational resource to run the activity or command. For
    # example, an Amazon EC2 instance or Amazon EMR cluster." (the resource
    # category also holds HttpProxy, which runs nothing).
    ("CopyActivity", "runsOn"): EC2_OR_EMR,
    ("DynamoDBDataNode", "runsOn"): EC2_OR_EMR,
    ("MySqlDataNode", "runsOn"): EC2_OR_EMR,
    ("RedshiftCopyActivity", "runsOn"): EC2_OR_EMR,
    ("RedshiftDataNode", "runsOn"): EC2_OR_EMR,
    ("S3DataNode", "runsOn"): EC2_OR_EMR,
    ("ShellCommandActivity", "runsOn"): EC2_OR_EMR,
    ("SqlActivity", "runsOn"): EC2_OR_EMR,
    ("SqlDataNode", "runsOn"): EC2_OR_EMR,
    # HiveCopyActivity: "runsOn | Specify cluster to run on." (example id myResourceId).
    ("HiveCopyActivity", "runsOn"): {
        "refs": ["EmrCluster"],
        "refs_basis": "description",
        "note": "Description: 'Specify cluster to run on.'; the slot type's example id is myResourceId.",
    },
    # EmrActivity, HadoopActivity, HiveActivity, PigActivity: "The Amazon EMR
    # cluster on which this job will run" etc.; example id myEmrClusterId.
    ("EmrActivity", "runsOn"): {"refs_basis": "description"},
    ("HadoopActivity", "runsOn"): {"refs_basis": "description"},
    ("HiveActivity", "runsOn"): {"refs_basis": "description"},
    ("PigActivity", "runsOn"): {"refs_basis": "description"},
    # Ec2Resource and EmrCluster list runsOn and workerGroup only to say
    # "This field is not allowed on this object." / "Field not allowed on this object."
    ("Ec2Resource", "runsOn"): {"group": "not_allowed"},
    ("Ec2Resource", "workerGroup"): {"group": "not_allowed"},
    ("EmrCluster", "runsOn"): {"group": "not_allowed"},
    ("EmrCluster", "workerGroup"): {"group": "not_allowed"},
    # CopyActivity intro: "CopyActivity supports S3DataNode and SqlDataNode as input and output".
    ("CopyActivity", "input"): {"refs": ["S3DataNode", "SqlDataNode"], "refs_basis": "description"},
    ("CopyActivity", "output"): {"refs": ["S3DataNode", "SqlDataNode"], "refs_basis": "description"},
    # HiveCopyActivity: "input | ... This must be a S3DataNode or DynamoDBDataNode."
    ("HiveCopyActivity", "input"): {"refs": ["DynamoDBDataNode", "S3DataNode"], "refs_basis": "description"},
    # "output | ... If input is S3DataNode, this must be DynamoDBDataNode.
    # Otherwise, this can be S3DataNode or DynamoDBDataNode."
    ("HiveCopyActivity", "output"): {"refs": ["DynamoDBDataNode", "S3DataNode"], "refs_basis": "description"},
    # RedshiftCopyActivity: "input | The input data node. The data source can
    # be Amazon S3, DynamoDB, or Amazon Redshift."; "output | ... The output
    # location can be Amazon S3 or Amazon Redshift."
    ("RedshiftCopyActivity", "input"): {
        "refs": ["DynamoDBDataNode", "RedshiftDataNode", "S3DataNode"],
        "refs_basis": "description",
    },
    ("RedshiftCopyActivity", "output"): {"refs": ["RedshiftDataNode", "S3DataNode"], "refs_basis": "description"},
    # DynamoDBDataNode.dataFormat: example id myDynamoDBDataFormatId, but
    # dp-object-hivecopyactivity.md: "If you use DynamoDBNode, specify a
    # DynamoDBExportDataFormat", and its example does so.
    ("DynamoDBDataNode", "dataFormat"): {
        "refs": ["DynamoDBDataFormat", "DynamoDBExportDataFormat"],
        "refs_basis": "description",
        "note": "Example id myDynamoDBDataFormatId; DynamoDBExportDataFormat from dp-object-hivecopyactivity "
        "('If you use DynamoDBNode, specify a DynamoDBExportDataFormat').",
    },
    # S3DataNode.compression: '"none" is no compression and "gzip" is compressed with the gzip algorithm.'
    ("S3DataNode", "compression"): {"values": ["none", "gzip"]},
    # Ec2Resource.scheduleType: "Values are: [See the AWS documentation website for more details]"
    ("Ec2Resource", "scheduleType"): {
        "note": "The values are elided in the repository copy ('[See the AWS documentation website for more "
        "details]'); every other page lists cron, ondemand, timeseries."
    },
    # region (Enumeration) lists no values: "For example, us-east-1."
    ("DynamoDBDataNode", "region"): {"note": "Enumeration without a list of values ('For example, us-east-1')."},
    ("Ec2Resource", "region"): {"note": "Enumeration without a list of values."},
    ("EmrCluster", "region"): {"note": "Enumeration without a list of values."},
    ("RedshiftDatabase", "region"): {"note": "Enumeration without a list of values ('For example, us-east-1')."},
    # EmrCluster.terminateAfter is "Integer" ("Terminate the resource after
    # these many hours."); Ec2Resource.terminateAfter is "Period" ("The number
    # of hours after which ..."), and the guide's examples write "1 Hour",
    # "20 Minutes", "10 minutes".
    ("EmrCluster", "terminateAfter"): {
        "note": "Slot type Integer ('these many hours') here, Period on Ec2Resource; the guide's examples "
        "give periods such as '1 Hour'."
    },
    # EmrCluster lists "EbsBlockDeviceConfig" and "VolumeSpecification" as
    # fields (capitalised), but emrcluster-example-ebs.md uses them as object
    # types referenced from EbsConfiguration.ebsBlockDeviceConfig and
    # EbsBlockDeviceConfig.volumeSpecification.
    ("EmrCluster", "EbsBlockDeviceConfig"): {
        "note": "Listed as an EmrCluster field, but emrcluster-example-ebs uses EbsBlockDeviceConfig as an "
        "object type referenced from an EbsConfiguration object's ebsBlockDeviceConfig field."
    },
    ("EmrCluster", "VolumeSpecification"): {
        "note": "Listed as an EmrCluster field, but emrcluster-example-ebs uses VolumeSpecification as an "
        "object type referenced from an EbsBlockDeviceConfig object's volumeSpecification field."
    },
    # Schedule.startAt: "Valid value is FIRST_ACTIVATION_DATE_TIME, which is
    # deprecated in favor of creating an on-demand pipeline." The same page's
    # on-demand example uses startAt ONDEMAND_ACTIVATION_TIME.
    ("Schedule", "startAt"): {
        "note": "Only FIRST_ACTIVATION_DATE_TIME is listed; the page's 'On-demand with explicit Schedule "
        "object' example uses startAt ONDEMAND_ACTIVATION_TIME with period ONDEMAND_PERIOD."
    },
    # Schedule.period: 'The format is "N [minutes|hours|days|weeks|months]" ...
    # The minimum period is 15 minutes and the maximum period is 3 years.'
    ("Schedule", "period"): {
        "note": "Format 'N [minutes|hours|days|weeks|months]' (years not in the list, yet the maximum is "
        "'3 years'); examples write '1 hours', '1 Day', '15 Minutes', '1 day'. Minimum 15 minutes, "
        "maximum 3 years. The on-demand example uses period ONDEMAND_PERIOD."
    },
    # HttpProxy, JdbcDatabase, RdsDatabase, RedshiftDatabase spell the field "*password".
    # (no override: kept as written)
}

# Fields the description says may be given several times (repeatable_basis
# "description"); fields given as JSON lists in the guide's examples are
# found automatically (repeatable_basis "example").
REPEATABLE = {
    # "To specify multiple steps, up to 255, add multiple step fields."
    ("EmrActivity", "step"): 255,
    # "To specify multiple scripts, up to 255, add multiple preStepCommand fields."
    ("EmrActivity", "preStepCommand"): 255,
    ("EmrActivity", "postStepCommand"): 255,
    # "To specify multiple actions, up to 255, add multiple bootstrapAction fields."
    ("EmrCluster", "bootstrapAction"): 255,
    # '"scriptArgument":"arg1","scriptArgument":"param1",...'
    ("ShellCommandActivity", "scriptArgument"): None,
    # "Multiple values for scriptArgument are helpful when the script is stored in Amazon S3."
    ("SqlActivity", "scriptArgument"): None,
    # "A list of arguments to use with the shell script."
    ("ShellScriptConfig", "scriptArgument"): None,
    # "This field accepts multiple values"
    ("HiveActivity", "scriptVariable"): None,
    # "IDs of one or more Amazon EC2 security groups" / "One or more Amazon EC2 security groups"
    ("Ec2Resource", "securityGroupIds"): None,
    ("Ec2Resource", "securityGroups"): None,
}

# Rules the pages state in prose, per type. kinds: exclusive (never both),
# one_of_required (at least one, stated outside a Required Group table),
# requires (field needs the others), only_with (field only with another),
# range, refs (a rule about what refs point to), prose (anything else).
TYPE_RULES = {
    "Schedule": [
        {"kind": "exclusive", "fields": ["startAt", "startDateTime"],
         "quote": "You must use either startDateTime or startAt but not both."},
        {"kind": "exclusive", "fields": ["endDateTime", "occurrences"],
         "quote": "You can't use occurrences with endDateTime."},
        {"kind": "prose", "fields": ["endDateTime"],
         "quote": "Must be a date and time later than the value of startDateTime or startAt."},
        {"kind": "range", "fields": ["period"], "min": "15 minutes", "max": "3 years",
         "quote": "The minimum period is 15 minutes and the maximum period is 3 years."},
    ],
    "ShellCommandActivity": [
        {"kind": "exclusive", "fields": ["command", "scriptUri"],
         "quote": "Specify only one scriptUri, or command field."},
        {"kind": "only_with", "fields": ["scriptArgument", "command"],
         "quote": "The scriptArgument can only be used with command; Using it with scriptUri causes an error."},
        {"kind": "prose", "fields": ["stdout", "stderr", "runsOn"],
         "quote": "If you use the runsOn field, this must be an Amazon S3 path ... if you specify the "
                  "workerGroup field, a local file path is permitted."},
    ],
    "ShellCommandPrecondition": [
        {"kind": "exclusive", "fields": ["command", "scriptUri"],
         "quote": "Only one scriptUri or command field should be present."},
    ],
    "RedshiftDatabase": [
        {"kind": "exclusive", "fields": ["clusterId", "connectionString"],
         "quote": "You can't specify both connectionString and clusterId."},
    ],
    "S3DataNode": [
        {"kind": "one_of_required", "fields": ["directoryPath", "filePath"],
         "quote": "You must provide either a filePath or directoryPath value."},
        {"kind": "prose", "fields": ["manifestFilePath"],
         "quote": "This field is valid only when a RedShiftCopyActivity references the S3DataNode."},
        {"kind": "refs", "fields": ["dataFormat"],
         "quote": "When you use an S3DataNode as input to CopyActivity, only the CSV and TSV data formats are supported."},
    ],
    "DynamoDBDataNode": [
        {"kind": "range", "fields": ["readThroughputPercent"], "min": 0.1, "max": 1.0, "inclusive": True,
         "quote": "The value is a double between 0.1 and 1.0, inclusively."},
        {"kind": "range", "fields": ["writeThroughputPercent"], "min": 0.1, "max": 1.0, "inclusive": True,
         "quote": "The value is a double between .1 and 1.0, inclusively."},
        {"kind": "refs", "fields": ["precondition"],
         "quote": "The DynamoDBDataNode object does not support the Exists precondition."},
    ],
    "HiveCopyActivity": [
        {"kind": "refs", "fields": ["input", "output"],
         "quote": "If input is S3DataNode, this must be DynamoDBDataNode. Otherwise, this can be S3DataNode or "
                  "DynamoDBDataNode. If you use DynamoDBNode, specify a DynamoDBExportDataFormat."},
    ],
    "SqlActivity": [
        {"kind": "prose", "fields": ["script", "scriptUri"], "quote": "You must specify script or scriptUri."},
    ],
    "Ec2Resource": [
        {"kind": "range", "fields": ["spotBidPrice"], "min": 0, "max": 20.0, "inclusive": False,
         "quote": "a decimal value between 0 and 20.00, exclusive."},
    ],
    "EmrCluster": [
        {"kind": "requires", "fields": ["coreInstanceBidPrice", "coreInstanceCount"],
         "quote": "Must be used together with coreInstanceCount."},
        {"kind": "range", "fields": ["masterInstanceBidPrice"], "min": 0, "max": 20.0, "inclusive": False,
         "quote": "It is a decimal value between 0 and 20.00, exclusive. ... Alternatively, a value of "
                  "OnDemandPrice indicates that the maximum Spot price is set equal to the On-Demand price."},
        {"kind": "range", "fields": ["taskInstanceBidPrice"], "min": 0, "max": 20.0, "inclusive": False,
         "quote": "A decimal value between 0 and 20.00, exclusive. ... Alternatively, a value of OnDemandPrice "
                  "indicates that the maximum Spot price is set equal to the On-Demand price."},
    ],
    "RdsDatabase": [
        {"kind": "prose", "fields": ["jdbcDriverJarUri"],
         "quote": "For the Oracle and SQL Server engines, this field is required."},
    ],
    "Custom": [
        {"kind": "prose", "fields": ["recordSeparator"], "quote": "Only single characters are supported."},
    ],
}

TYPE_NOTES = {
    "HiveActivity": [
        "The second group table is headed only 'Required Group' (without '(One of the following is "
        "required)') and lists runsOn, workerGroup, input and output. Read literally (as here): one of the "
        "four is required. Other reading: one of runsOn/workerGroup as on every other activity page, with "
        "input and output required (the page's example sets all of input, output and runsOn)."
    ],
    "RedshiftCopyActivity": [
        "schedule (Object Invocation Fields) is not called required in so many words ('Specify a schedule "
        "reference to another object ... we recommend to put the schedule reference on the default pipeline "
        "object'); left optional."
    ],
    "Ec2Resource": [
        "schedule (Object Invocation Fields): 'specify a schedule reference to another object. You can do "
        "this in one of the following ways: [See the AWS documentation website for more details]'; left "
        "optional. The dp-object-schedule examples 'Explicit schedule on the object' and 'Schedule from "
        "Parent reference' have an Ec2Resource with no schedule of its own or from Default.",
        "role and resourceRole are required, yet the page's two examples set neither (nor does a Default in "
        "them); they may come from Default, as in the dp-object-schedule examples.",
        "The examples write actionOnResourceFailure 'retryAll'; the description lists 'retryall'.",
    ],
    "EmrActivity": [
        "step is optional in the tables, though the description says 'One or more steps for the cluster to run'."
    ],
    "EmrCluster": [
        "EbsBlockDeviceConfig and VolumeSpecification are listed as fields but are object types in "
        "emrcluster-example-ebs (see EbsBlockDeviceConfig, VolumeSpecification)."
    ],
    "Exists": ["No Required Fields table: every field is optional (no role, unlike the other preconditions)."],
    "Schedule": [
        "No schedule, runsOn or workerGroup field; parent is its only reference field.",
        "System fields include @firstActivationTime, only on this page.",
        "dp-concepts-schedules: the backfill guard blocks activation 'if the pipeline component "
        "scheduledStartTime is earlier than 1 day ago', and also says 'To get your pipeline to launch "
        "immediately, set Start Date Time to a date one day in the past'.",
    ],
    "DynamoDBDataExists": ["Preconditions have no schedule, runsOn or workerGroup field."],
    "DynamoDBTableExists": ["Preconditions have no schedule, runsOn or workerGroup field."],
    "S3KeyExists": ["Preconditions have no schedule, runsOn or workerGroup field."],
    "S3PrefixNotEmpty": ["Preconditions have no schedule, runsOn or workerGroup field."],
    "ShellCommandPrecondition": [
        "No runsOn or workerGroup field, though the stdout/stderr descriptions speak of 'the runsOn field' "
        "and 'the workerGroup field'."
    ],
    "MySqlDataNode": ["'The MySqlDataNode type is deprecated. We recommend that you use SqlDataNode instead.'"],
    "SqlActivity": [
        "lateAfterTimeout reads differently here: 'The time period since the scheduled start of the pipeline "
        "within which the object run must start.'"
    ],
}

# Types with no reference page, as emrcluster-example-ebs.md shows them
# (fields and their kinds as the example writes them; nothing is said about
# which are required).
EXAMPLE_ONLY_TYPES = [
    {
        "type": "EbsConfiguration",
        "page": "emrcluster-example-ebs",
        "fields": {
            "ebsOptimized": {"kind": "string", "group": "optional"},
            "ebsBlockDeviceConfig": {"kind": "ref", "group": "optional", "refs": ["EbsBlockDeviceConfig"],
                                     "refs_basis": "example", "repeatable": True, "repeatable_basis": "example"},
        },
    },
    {
        "type": "EbsBlockDeviceConfig",
        "page": "emrcluster-example-ebs",
        "fields": {
            "volumesPerInstance": {"kind": "string", "group": "optional"},
            "volumeSpecification": {"kind": "ref", "group": "optional", "refs": ["VolumeSpecification"],
                                    "refs_basis": "example"},
        },
    },
    {
        "type": "VolumeSpecification",
        "page": "emrcluster-example-ebs",
        "fields": {
            "sizeInGB": {"kind": "string", "group": "optional"},
            "volumeType": {"kind": "string", "group": "optional"},
            "iops": {"kind": "string", "group": "optional"},
        },
    },
]
EXAMPLE_ONLY_NOTE = (
    "No reference page: fields as emrcluster-example-ebs writes them, so kinds are what the example's "
    "values look like and no field is known to be required. EmrCluster's coreEbsConfiguration, "
    "masterEbsConfiguration and taskEbsConfiguration refer to EbsConfiguration."
)

# Default: dp-writing-pipeline-definition.md. No field table; the fields in
# the guide's Default examples (dp-writing-pipeline-definition,
# dp-object-schedule, dp-concepts-schedules, dp-custom-templates,
# dp-object-httpproxy, emrcluster-example-ebs) are listed as example_fields.
DEFAULT_ENTRY = {
    "type": "Default",
    "page": "dp-writing-pipeline-definition",
    "category": "default",
    "fields": {},
    "runtime_fields": [],
    "system_fields": [],
    "notes": [
        "Not an object type: the object whose id is 'Default'. 'You can define common fields in an object "
        "with the ID \"Default\". These fields are automatically included in every object in the pipeline "
        "definition file that doesn't explicitly set its parent field to reference a different object.'",
        "No field table of its own. The guide's Default examples carry no type and set fields of several "
        "types' tables (see example_fields), for the objects that inherit them.",
        "scheduleType belongs here: 'If you use an ondemand schedule, specify it in the default object as "
        "the only scheduleType for objects in the pipeline' (dp-object-shellcommandactivity); "
        "maxActiveInstances on Default sets on-demand concurrency, default 1, maximum 5 "
        "(dp-concepts-schedules).",
        "Examples write scheduleType 'CRON' and 'ONDEMAND' and failureAndRerunMode 'CASCADE' in upper case "
        "(dp-custom-templates, emrcluster-example-ebs); the field tables write cron/ondemand/timeseries.",
    ],
    # Keys of the objects with id Default in the guide's examples
    # (dp-concepts-schedules, dp-copydata-redshift-define-pipeline-cli,
    # dp-copymysql-cli, dp-custom-templates, dp-error-logs,
    # dp-make-http-request, dp-object-hadoopactivity, dp-object-httpproxy,
    # dp-object-redshiftcopyactivity, dp-object-schedule,
    # dp-writing-pipeline-definition, emrcluster-example-*).
    "example_fields": [
        "failureAndRerunMode", "maximumRetries", "onFail", "pipelineLogUri", "postActivityTaskConfig",
        "preActivityTaskConfig", "resourceRole", "role", "schedule", "scheduleType", "workerGroup",
    ],
}

# failureAndRerunMode (Enumeration) lists no values on the object pages;
# dp-manage-cascade-failandrerun.md: "All activities, data nodes, and
# preconditions have a field named failureAndRerunMode with a default value
# of none. To enable cascading failures, set the failureAndRerunMode field to
# cascade."
FAILURE_AND_RERUN_VALUES = {"page": "dp-manage-cascade-failandrerun", "values": ["cascade", "none"], "default": "none"}


def parameter_entry(src):
    """dp-custom-templates.md's "Parameter Attributes" table (Attribute | Type | Description)."""
    text = src.read("dp-custom-templates.md")
    fields = {}
    for _heading, rows in tables(text, header_tail="| Type | Description |"):
        for name, typ, _desc in rows:
            if typ == "String":
                entry = {"kind": "string"}
            elif typ == "Boolean":
                entry = {"kind": "boolean"}
            elif typ == "List of Strings":
                entry = {"kind": "list-of-string"}
            elif typ == "String, Integer, Double, or AWS::S3::ObjectKey":
                entry = {"kind": "enum", "values": ["String", "Integer", "Double", "AWS::S3::ObjectKey"]}
            else:
                raise SystemExit(f"dp-custom-templates: unknown attribute type {typ!r}")
            entry["group"] = "optional"
            fields[name] = entry
    # The table has no required column; id is "The unique identifier of the parameter".
    fields["id"]["group"] = "required"
    fields["type"]["default"] = "String"  # "The default is String."
    fields["optional"]["default"] = "false"  # "The default is false."
    return {
        "type": "Parameter",
        "page": "dp-custom-templates",
        "category": "parameter",
        "fields": fields,
        "runtime_fields": [],
        "system_fields": [],
        "notes": [
            "Parameter objects are not pipeline objects: they travel in parameterObjects as id + attributes "
            "(key/stringValue), values in parameterValues.",
            "The attribute table has no required column; id is marked required because it is 'The unique "
            "identifier of the parameter'. An id may start with '*' to mask and encrypt the value.",
            "'It is required that the variable is prefixed by my' (#{myVariable}); 'A pipeline definition has "
            "an upper limit of 50 parameters'; the parameter-values file is at most 15 KB.",
        ],
    }


# ==========================================================================


def build(src):
    categories = {}
    category_types = {}
    for page, category in CATEGORY_PAGES.items():
        category_types[category] = []
        for link in re.findall(r"\]\(([^)#]+)\.md\)", src.read(page)):
            categories[link] = category
    categories["dp-object-schedule"] = "schedule"

    types = []
    examples = {}
    for name in src.names():
        if not name.endswith(".md"):
            continue
        page = name[:-3]
        text = src.read(name)
        page_tables = list(tables(text))
        if not page_tables:
            continue
        title = re.match(r"#\s*(.*?)<a name=", text).group(1).strip()
        type_name = TYPE_NAMES.get(page, title)
        category = categories.get(page)
        if category is None:
            raise SystemExit(f"{page}: not listed on any category page")
        if category in category_types:
            category_types[category].append(type_name)
        fields, runtime, system = {}, [], []
        group_no = 0
        for heading, rows in page_tables:
            if heading not in SECTIONS:
                raise SystemExit(f"{page}: unknown table heading {heading!r}")
            section = SECTIONS[heading]
            if section == "required_group":
                group_no += 1
            for field, desc, slot in rows:
                if section in ("runtime", "system"):
                    (runtime if section == "runtime" else system).append(field)
                    continue
                if field in fields:
                    raise SystemExit(f"{page}: {field} listed twice")
                entry = {"kind": slot_kind(slot)}
                if section == "required_group":
                    entry["group"] = f"required_group:{group_no}"
                elif section == "invocation":
                    if field != "schedule" or type_name not in SCHEDULE_WORDING:
                        raise SystemExit(f"{page}: invocation field {field}: add it to SCHEDULE_WORDING")
                    entry["group"] = "required" if SCHEDULE_WORDING[type_name] else "optional"
                    entry["invocation"] = True
                    entry["note"] = SCHEDULE_NOTE
                else:
                    entry["group"] = section
                if entry["kind"] == "ref":
                    entry["_placeholder"] = ref_placeholder(slot)
                values = values_from_description(desc)
                if values:
                    entry["values"] = values
                if field == "failureAndRerunMode" and "values" not in entry:
                    entry["values_elsewhere"] = FAILURE_AND_RERUN_VALUES
                if field == "dependsOn":
                    entry["note"] = RUNNABLE_NOTE
                fields[field] = entry
        types.append({
            "type": type_name,
            "page": page,
            "category": category,
            "fields": fields,
            "runtime_fields": runtime,
            "system_fields": system,
        })
        examples[page] = example_objects(text)

    by_name = {t["type"]: t for t in types}

    # Reference targets, once every category's types are known.
    for t in types:
        for name, entry in t["fields"].items():
            placeholder = entry.pop("_placeholder", None)
            if entry["kind"] != "ref":
                continue
            target = PLACEHOLDER_REFS.get(placeholder)
            if target is None:
                raise SystemExit(f"{t['page']}: {name}: unknown placeholder {placeholder!r}")
            if target == "any":
                entry["refs"] = "any"
            else:
                entry["refs"] = sorted(category_types[target]) if isinstance(target, str) else list(target)
                entry["refs_basis"] = "example-id"

    for (type_name, field), override in FIELD_OVERRIDES.items():
        entry = by_name[type_name]["fields"].get(field)
        if entry is None:
            raise SystemExit(f"override for {type_name}.{field}: no such field")
        entry.update(override)
        if entry["group"] == "not_allowed":
            # Where a field may not be set, what it would point to is moot.
            entry.pop("refs", None)
            entry.pop("refs_basis", None)
    for (type_name, field), most in REPEATABLE.items():
        entry = by_name[type_name]["fields"][field]
        entry["repeatable"] = True
        entry["repeatable_basis"] = "description"
        if most:
            entry["max_values"] = most

    # The pages' own examples: list-valued fields, and keys outside the type's table.
    outside = {}
    for page, objects in examples.items():
        for obj in objects:
            t = by_name.get(obj["type"])
            if t is None:
                continue
            for key, value in obj.items():
                if key in ("id", "name", "type"):
                    continue
                entry = t["fields"].get(key)
                if entry is None:
                    outside.setdefault(t["type"], set()).add(key)
                    continue
                if isinstance(value, list) and not entry.get("repeatable"):
                    entry["repeatable"] = True
                    entry["repeatable_basis"] = "example"
    for type_name, keys in outside.items():
        by_name[type_name]["example_keys_outside_table"] = sorted(keys)

    for type_name, notes in TYPE_NOTES.items():
        by_name[type_name]["notes"] = notes
    for type_name, rules in TYPE_RULES.items():
        by_name[type_name]["rules"] = rules

    for extra in EXAMPLE_ONLY_TYPES:
        types.append({
            "type": extra["type"],
            "page": extra["page"],
            "category": "example-only",
            "fields": extra["fields"],
            "runtime_fields": [],
            "system_fields": [],
            "notes": [EXAMPLE_ONLY_NOTE],
        })
    types.append(DEFAULT_ENTRY)
    types.append(parameter_entry(src))
    return types


CONVENTIONS = {
    "group": {
        "required": "in a 'Required Fields' table, or `schedule` where its 'Object Invocation Fields' row says it "
                    "must be set",
        "required_group:<n>": "in the n-th 'Required Group (One of the following is required)' table of the page",
        "optional": "in 'Optional Fields' (and `schedule` where the page does not call it required)",
        "not_allowed": "listed, but the description says the field is not allowed on this object",
    },
    "invocation": "true for the 'Object Invocation Fields' row (always `schedule`)",
    "kind": "the Slot Type column: String->string, Reference Object->ref, Enumeration->enum, DateTime->datetime, "
            "Period->period, Integer->integer, Double->double, Boolean->boolean; the slot type never says "
            "'list' (see repeatable)",
    "refs": "types a ref may point to; 'any' when the page does not narrow it",
    "refs_basis": "example-id: from the placeholder in the slot type's example (myDataNodeId -> the data node "
                  "types); description: the page names the types; example: only an example shows it",
    "values": "the values the description lists, as written (case kept); values_elsewhere: from another page",
    "repeatable": "the field may be given several times (a list); repeatable_basis: description or example "
                  "(the page's own example gives a JSON list)",
    "inheritance": "Every field may be set on the object, on a parent (field `parent`) or on the object with "
                   "id Default (dp-writing-pipeline-definition); a required field may be met by inheritance.",
    "every_object": {
        "id": "required, unique in the definition (dp-writing-pipeline-definition: 'Each pipeline object must "
              "contain the following fields: id and type'); on the API an object member, not a field",
        "name": "in the examples; on the API an object member, not a field",
        "type": "required per dp-writing-pipeline-definition, but no field table lists it",
        "parent": "ref to any object, in every page's Optional Fields",
    },
    "user_defined_fields": {
        "pattern": "^my[A-Z_]",
        "quote": "A user-defined field must have a name prefixed with the word \"my\" in all lower-case letters, "
                 "followed by a capital letter or underscore character. ... On user-defined fields, AWS Data "
                 "Pipeline only checks for valid references to other pipeline components, not any custom field "
                 "string values that you add.",
    },
    "prefixes": {
        "@": "runtime field, 'only available when a pipeline runs' (dp-pipeline-characters)",
        "*": "encrypted field, 'a field name prefix' (dp-pipeline-characters); tables write '*password'",
        "#{...}": "expression in a value",
    },
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path", help="checkout or git directory of " + REPO)
    ap.add_argument("--rev", default="HEAD")
    ap.add_argument("-o", "--output")
    args = ap.parse_args()
    src = Source(args.path, args.rev)
    doc = {
        "source": f"{REPO} @ {src.commit or 'unknown commit'}",
        "generated_by": "scripts/dg-object-table.py",
        "conventions": CONVENTIONS,
        "types": build(src),
    }
    out = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(out)
    else:
        sys.stdout.write(out)


if __name__ == "__main__":
    main()
