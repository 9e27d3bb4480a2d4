"""moto_server with one fix, for the tests: moto 5.2.1 parses the creation
dates of the images in MOTO_AMIS_PATH in place, in the list every region
shares, so the second region it serves fails with "Invalid timestamp ...
not datetime" (a 500 on every EC2 call there). Dates already parsed are
passed through; then moto_server's own main runs, with the same arguments."""
import datetime
import sys

import moto.ec2.models.amis as amis
from moto.server import main

_parse = amis.parse_timestamp
amis.parse_timestamp = lambda v: v if isinstance(v, datetime.datetime) else _parse(v)

if __name__ == "__main__":
    sys.exit(main())
