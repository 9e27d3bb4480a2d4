"""What the loopback test servers share: serve a handler on 127.0.0.1 at a
port the OS picks, write the port to a file (atomically), and serve until a
given process is gone."""

import http.server
import os
import threading
import time


def serve_until_gone(handler, port_file, parent_pid):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(port_file + ".tmp", port_file)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    while True:
        try:
            os.kill(parent_pid, 0)
        except OSError:
            return
        time.sleep(0.5)
