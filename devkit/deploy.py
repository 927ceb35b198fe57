"""`make deploy`: build the package, deploy the stack with AWS SAM, and hand the function's
ARN to the Alexa skill.

  1. Without AWS credentials or a region it stops at once, before building anything,
     and says what to set up.
  2. `sam` from PATH, else the aws-sam-cli pinned in requirements-deploy.txt, installed
     into .venv-sam/ on first use.
  3. Build into .aws-sam/build/ with `python -m devkit.package` (what `sam build` makes,
     for the runtime and architecture, plus what it does not: the lazy re-exports, the
     DynamoDB client's cut botocore data, and bytecode when a Python matching the
     runtime is here); `sam deploy` finds it there.
  4. `sam deploy --guided` the first time: it asks for a stack name, the region, SkillId
     (the Alexa skill id), DataTtlDays and Stage, and saves the answers in samconfig.toml;
     plain `sam deploy` after that.
  5. The stack's SkillFunctionArn output, the ARN of the function's `live` alias (the
     published version SnapStart restores), is printed, for the Alexa developer console,
     and written into interaction_model/skill-package/skill.json as the endpoint, for
     `ask deploy`.

`make deploy REGION=eu-west-1` (or us-west-2, us-east-1) deploys the same stack in that
region, with its own table, so each user's data stays in the region that serves them
(ALEXA_REGIONS: Alexa's North America, Europe and Far East endpoints; en-GB and en-IN
users reach Europe, en-AU the Far East, en-US and en-CA North America). Each region has
its own samconfig.toml environment (named after the region), and its ARN goes into
skill.json's `regions` (NA, EU, FE); North America's is also the default endpoint.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import botocore.session

from devkit import package

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / ".aws-sam" / "build"
SAMCONFIG = ROOT / "samconfig.toml"
SAM_VENV = ROOT / ".venv-sam"
SKILL_JSON = ROOT / "interaction_model" / "skill-package" / "skill.json"
OUTPUT = "SkillFunctionArn"
# The AWS region that serves each of Alexa's endpoint regions (Alexa's guidance for Lambda
# endpoints), and which region is the skill's default endpoint.
ALEXA_REGIONS = {"us-east-1": "NA", "eu-west-1": "EU", "us-west-2": "FE"}
DEFAULT_ALEXA_REGION = "NA"

SETUP = """\
make deploy: {what}, so nothing was built or deployed.

Set up once (README, "Deploy"):
  1. An AWS account, and a user in it allowed to deploy CloudFormation stacks that create
     Lambda functions and layers, DynamoDB tables, IAM roles, CloudWatch log groups and
     an S3 bucket for the package (for a first try, an administrator).
  2. Credentials for that user on this machine, one of:
       aws configure                 access keys (needs the AWS CLI)
       aws configure sso             IAM Identity Center, then: export AWS_PROFILE=<profile>
       export AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=...   (and AWS_SESSION_TOKEN)
  3. A region; us-east-1 serves Alexa's North America endpoint:
       export AWS_DEFAULT_REGION=us-east-1   or   aws configure set region us-east-1
Then run make deploy again.
"""


class DeployError(Exception):
    pass


def aws_setup_problem():
    """What is missing for AWS (a sentence), or None when credentials and a region are set.
    Looks only at this machine's configuration: nothing is sent anywhere."""
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"  # never probe an instance metadata service
    session = botocore.session.Session()
    try:
        credentials = session.get_credentials()
    except Exception as error:  # e.g. an SSO profile whose login expired
        return f"AWS credentials could not be read ({type(error).__name__}: {error})"
    if credentials is None:
        return "no AWS credentials found"
    if not (session.get_config_variable("region") or os.environ.get("AWS_REGION")):
        return "no AWS region set"
    return None


def find_sam():
    """The sam command: on PATH, or installed (pinned) into .venv-sam/."""
    found = shutil.which("sam")
    if found:
        return found
    sam = SAM_VENV / "bin" / "sam"
    if not sam.exists():
        print(f"Installing the AWS SAM CLI into {SAM_VENV.relative_to(ROOT)}/ (once) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(SAM_VENV)], check=True)
        subprocess.run([str(SAM_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", "-r", str(ROOT / "requirements-deploy.txt")], check=True)
    return str(sam)


def function_runtime():
    """(logical id, Python version) of the template's function."""
    template = package.read_template()
    ((name, resource),) = [(n, r) for n, r in template["Resources"].items()
                           if r["Type"] == "AWS::Serverless::Function"]
    return name, package.function_target(resource["Properties"])[2]


def build():
    _, version = function_runtime()
    print(f"Building the package for Python {version} with devkit.package ...", flush=True)
    package.build(BUILD, quiet=False)


def deploy(sam, env, region=None):
    command = [sam, "deploy"] + (["--config-env", region, "--region", region] if region else [])
    if not SAMCONFIG.exists() or (region and region not in tomllib.loads(SAMCONFIG.read_text())):
        print("First deploy: sam asks a few questions and saves the answers in samconfig.toml.\n"
              "  SkillId: your skill's id (developer console > your skill > Copy Skill ID)\n"
              "  Stage: production protects the table from deletion; development for a test stack\n"
              "  Allow SAM CLI IAM role creation: yes (the function's own, least-privilege role)", flush=True)
        command.append("--guided")
    subprocess.run(command, cwd=ROOT, env=env, check=True)


def stack_output(sam, env, key=OUTPUT, region=None):
    parameters = tomllib.loads(SAMCONFIG.read_text())[region or "default"]["deploy"]["parameters"]
    command = [sam, "list", "stack-outputs", "--stack-name", parameters["stack_name"], "--output", "json"]
    if parameters.get("region"):
        command += ["--region", parameters["region"]]
    result = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    outputs = {item["OutputKey"]: item["OutputValue"] for item in json.loads(result.stdout)}
    if key not in outputs:
        raise DeployError(f"the stack has no {key} output")
    return outputs[key]


def set_endpoint(arn, path=SKILL_JSON):
    """Write the function's ARN into skill.json as the skill's endpoint (only that changes)."""
    data = json.loads(path.read_text())
    data["manifest"]["apis"]["custom"]["endpoint"] = {"uri": arn}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def set_region_endpoint(arn, region, path=SKILL_JSON):
    """Write the ARN deployed in AWS `region` as the endpoint of the Alexa region it serves
    (skill.json apis.custom.regions), and as the default endpoint for North America or
    while there is none. Nothing else changes."""
    alexa_region = ALEXA_REGIONS[region]
    data = json.loads(path.read_text())
    custom = data["manifest"]["apis"]["custom"]
    custom.setdefault("regions", {})[alexa_region] = {"endpoint": {"uri": arn}}
    if alexa_region == DEFAULT_ALEXA_REGION or "endpoint" not in custom:
        custom["endpoint"] = {"uri": arn}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="make deploy", description="Deploy the skill's stack with AWS SAM.")
    parser.add_argument("--region", choices=sorted(ALEXA_REGIONS), default=None,
                        help="the AWS region to deploy to, one per Alexa endpoint region "
                             "(us-east-1: North America, eu-west-1: Europe and India, us-west-2: Far East)")
    return parser.parse_args(argv)


def main(argv=None):
    region = parse_args(argv).region
    if region:
        os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = region
    problem = aws_setup_problem()
    if problem:
        print(SETUP.format(what=problem), file=sys.stderr)
        return 2
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0"}
    try:
        sam = find_sam()
        build()
        deploy(sam, env, region)
        arn = stack_output(sam, env, region=region)
    except subprocess.CalledProcessError as error:
        print(f"make deploy: {Path(error.cmd[0]).name} failed (exit {error.returncode}); see above.", file=sys.stderr)
        return 1
    except (DeployError, package.PackageError) as error:
        print(f"make deploy: {error}", file=sys.stderr)
        return 1
    if region:
        set_region_endpoint(arn, region)
    else:
        set_endpoint(arn)
    print(f"\nDeployed. The skill's endpoint ({OUTPUT}, the `live` alias):\n\n    {arn}\n\n"
          "Paste it into the Alexa developer console: your skill > Build > Endpoint > AWS Lambda ARN >\n"
          "Default Region, then Save. It is also written into "
          f"{SKILL_JSON.relative_to(ROOT)} for `ask deploy`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
