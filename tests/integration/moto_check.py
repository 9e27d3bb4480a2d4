#!/usr/bin/env python3
"""Looks into the integration test's moto_server with boto3 (loopback only).

The endpoint and the credentials come from the environment aws_lib.sh sets
(AWS_ENDPOINT_URL_EC2, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY). Each check
prints what it found and exits 1 with a reason when it fails.

  moto_check.py ubuntu-image        prints the id of an Ubuntu image moto knows
  moto_check.py launched JOB --type T --max-price P --disk N --cidr C --key FILE
                                    the job's spot instance is up with its tags,
                                    disk, the job's own key and an SSH-only
                                    group open to C alone; RunInstances asked
                                    for max price P
  moto_check.py gone JOB            nothing of the job is left in moto
  moto_check.py alive               prints how many instances are not terminated
  moto_check.py spot-price-regions  prints the signing regions of the
                                    DescribeSpotPriceHistory calls moto
                                    recorded, sorted, one per line
  moto_check.py make-user           (moto with INITIAL_NO_AUTH_ACTION_COUNT=3)
                                    creates an EC2 user, prints "KEY_ID SECRET"
"""

import argparse
import base64
import json
import os
import sys
import urllib.parse
import urllib.request

import boto3

ENDPOINT = os.environ["AWS_ENDPOINT_URL_EC2"]
REGION = "us-east-1"


def ec2():
    return boto3.client("ec2", endpoint_url=ENDPOINT, region_name=REGION)


def fail(message):
    print("moto_check: " + message, file=sys.stderr)
    sys.exit(1)


def job_instances(client, job):
    found = []
    pages = client.get_paginator("describe_instances").paginate(
        Filters=[{"Name": "tag:spotrun:job-id", "Values": [job]}])
    for page in pages:
        for reservation in page["Reservations"]:
            found.extend(reservation["Instances"])
    return found


def tags(resource):
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def recorded_calls(action):
    """(form parameters, headers) of every call of `action` moto recorded."""
    with urllib.request.urlopen(ENDPOINT + "/moto-api/recorder/download-recording") as r:
        lines = r.read().decode().splitlines()
    calls = []
    for line in lines:
        entry = json.loads(line)
        body = entry.get("body") or ""
        if entry.get("body_encoded"):
            body = base64.b64decode(body).decode()
        params = dict(urllib.parse.parse_qsl(body))
        if params.get("Action") == action:
            calls.append((params, entry.get("headers") or {}))
    return calls


def run_instances_calls():
    """Form parameters of every RunInstances moto recorded."""
    return [params for params, _ in recorded_calls("RunInstances")]


def spot_price_regions(_):
    regions = set()
    for _, headers in recorded_calls("DescribeSpotPriceHistory"):
        auth = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
        # "AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/ec2/aws4_request, ..."
        scope = auth.split("Credential=", 1)[-1].split(",", 1)[0].split("/")
        if len(scope) >= 3:
            regions.add(scope[2])
    for region in sorted(regions):
        print(region)


def ubuntu_image(_):
    images = ec2().describe_images(Owners=["099720109477"])["Images"]
    ubuntu = [i for i in images if "ubuntu" in i.get("Name", "")]
    if not ubuntu:
        fail("moto knows no Ubuntu image")
    print(ubuntu[0]["ImageId"])


def launched(args):
    client = ec2()
    alive = [i for i in job_instances(client, args.job) if i["State"]["Name"] == "running"]
    if len(alive) != 1:
        fail("expected one running instance of job %s, found %d" % (args.job, len(alive)))
    inst = alive[0]
    t = tags(inst)
    for key, value in {"spotrun:managed-by": "spotrun", "spotrun:job-id": args.job,
                       "spotrun:attempt": "1"}.items():
        if t.get(key) != value:
            fail("instance tag %s is %r, expected %r" % (key, t.get(key), value))
    if not t.get("spotrun:owner"):
        fail("instance has no spotrun:owner tag")
    if inst.get("InstanceLifecycle") != "spot" or inst["InstanceType"] != args.type:
        fail("not a spot %s: %s %s" % (args.type, inst.get("InstanceLifecycle"),
                                       inst["InstanceType"]))
    volumes = client.describe_volumes(
        Filters=[{"Name": "attachment.instance-id", "Values": [inst["InstanceId"]]}])["Volumes"]
    if [v["Size"] for v in volumes] != [args.disk]:
        fail("root volume sizes %s, expected [%d]" % ([v["Size"] for v in volumes], args.disk))
    if tags(volumes[0]).get("spotrun:job-id") != args.job:
        fail("the volume is not tagged with the job")
    name = "spotrun-" + args.job
    if inst.get("KeyName") != name:
        fail("key pair %r, expected %r" % (inst.get("KeyName"), name))
    key = client.describe_key_pairs(KeyNames=[name], IncludePublicKey=True)["KeyPairs"][0]
    with open(args.key) as f:
        local = f.read().split()[:2]
    if key.get("PublicKey", "").split()[:2] != local:
        fail("the imported key pair is not the job's key")
    groups = client.describe_security_groups(
        GroupIds=[g["GroupId"] for g in inst["SecurityGroups"]])["SecurityGroups"]
    if [g["GroupName"] for g in groups] != [name]:
        fail("security groups %s, expected [%s]" % ([g["GroupName"] for g in groups], name))
    rules = [(p.get("IpProtocol"), p.get("FromPort"), p.get("ToPort"), r["CidrIp"])
             for p in groups[0]["IpPermissions"] for r in p.get("IpRanges", [])]
    v6 = [r for p in groups[0]["IpPermissions"] for r in p.get("Ipv6Ranges", [])]
    if rules != [("tcp", 22, 22, args.cidr)] or v6:
        fail("ingress %s %s, expected SSH from %s only" % (rules, v6, args.cidr))
    prices = [c.get("InstanceMarketOptions.SpotOptions.MaxPrice") for c in run_instances_calls()
              if args.job in c.values()]
    if not prices or any(p is None or abs(float(p) - args.max_price) > 1e-9 for p in prices):
        fail("RunInstances max prices %s, expected %s" % (prices, args.max_price))
    print("launched: %s spot %s, disk %d GB, key %s, SSH from %s, max price %s" % (
        inst["InstanceId"], args.type, args.disk, name, args.cidr, prices[0]))


def gone(args):
    client = ec2()
    name = "spotrun-" + args.job
    left = [i["InstanceId"] for i in job_instances(client, args.job)
            if i["State"]["Name"] != "terminated"]
    keys = client.describe_key_pairs(Filters=[{"Name": "key-name", "Values": [name]}])["KeyPairs"]
    groups = client.describe_security_groups(
        Filters=[{"Name": "group-name", "Values": [name]}])["SecurityGroups"]
    volumes = client.describe_volumes(
        Filters=[{"Name": "tag:spotrun:job-id", "Values": [args.job]}])["Volumes"]
    if left or keys or groups or volumes:
        fail("job %s left instances %s, key pairs %s, groups %s, volumes %s" % (
            args.job, left, [k["KeyName"] for k in keys], [g["GroupId"] for g in groups],
            [v["VolumeId"] for v in volumes]))
    print("gone: nothing of job %s is left" % args.job)


def run_instances(args):
    print(len([c for c in run_instances_calls() if args.job in c.values()]))


def alive(_):
    count = 0
    for page in ec2().get_paginator("describe_instances").paginate():
        for reservation in page["Reservations"]:
            count += sum(i["State"]["Name"] != "terminated" for i in reservation["Instances"])
    print(count)


def make_user(_):
    iam = boto3.client("iam", endpoint_url=ENDPOINT, region_name=REGION,
                       aws_access_key_id="AKIAANYONE0000000000", aws_secret_access_key="anything")
    iam.create_user(UserName="tester")
    iam.put_user_policy(UserName="tester", PolicyName="ec2", PolicyDocument=json.dumps(
        {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="tester")["AccessKey"]
    print(key["AccessKeyId"], key["SecretAccessKey"])


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("ubuntu-image").set_defaults(fn=ubuntu_image)
    p = sub.add_parser("launched")
    p.add_argument("job")
    p.add_argument("--type", required=True)
    p.add_argument("--max-price", type=float, required=True)
    p.add_argument("--disk", type=int, required=True)
    p.add_argument("--cidr", required=True)
    p.add_argument("--key", required=True)
    p.set_defaults(fn=launched)
    p = sub.add_parser("gone")
    p.add_argument("job")
    p.set_defaults(fn=gone)
    p = sub.add_parser("run-instances")  # How many RunInstances named the job.
    p.add_argument("job")
    p.set_defaults(fn=run_instances)
    sub.add_parser("alive").set_defaults(fn=alive)
    sub.add_parser("make-user").set_defaults(fn=make_user)
    sub.add_parser("spot-price-regions").set_defaults(fn=spot_price_regions)
    args = parser.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
