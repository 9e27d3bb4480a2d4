"""moto_server with one fix and one fault, for the tests.

The fix: moto 5.2.1 parses the creation dates of the images in
MOTO_AMIS_PATH in place, in the list every region shares, so the second
region it serves fails with "Invalid timestamp ... not datetime" (a 500 on
every EC2 call there). Dates already parsed are passed through.

The fault: while the file named by MOTO_NO_CAPACITY_FILE exists, every
RunInstances fails with InsufficientInstanceCapacity, as EC2 does when a
pool is out of capacity (the call is still recorded).

Then moto_server's own main runs, with the same arguments."""
import datetime
import os
import sys

import moto.ec2.models.amis as amis
import moto.ec2.models.instances as instances
from moto.ec2.exceptions import EC2ClientError
from moto.server import main

_parse = amis.parse_timestamp
amis.parse_timestamp = lambda v: v if isinstance(v, datetime.datetime) else _parse(v)

_run_instances = instances.InstanceBackend.run_instances


def _run_instances_unless_full(self, *args, **kwargs):
    marker = os.environ.get("MOTO_NO_CAPACITY_FILE")
    if marker and os.path.exists(marker):
        raise EC2ClientError(
            "InsufficientInstanceCapacity",
            "There is no Spot capacity available that matches your request.")
    return _run_instances(self, *args, **kwargs)


instances.InstanceBackend.run_instances = _run_instances_unless_full

if __name__ == "__main__":
    sys.exit(main())
