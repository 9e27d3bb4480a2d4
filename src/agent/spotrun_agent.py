#!/usr/bin/env python3
"""spotrun agent: runs on the instance (see docs/ARCHITECTURE.md)."""
