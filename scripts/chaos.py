#!/usr/bin/env python3
"""Gatehouse's fault and load harness (`make chaos`, and a short run in `make test`).

Two release servers share one PostgreSQL database while simulated admins and members
work on both at once: invites, joins, role changes, groups and permissions, bulk CSV
invites, archive, unarchive and removal, workspace archive, app edits, sign-ins and
sign-outs, in random order. Meanwhile it kills one server with SIGKILL in the middle of
a 10,000-row bulk invite, kills a `gatehouse rotate-key` run the same way, and restarts
PostgreSQL. Then two servers share one SQLite file while `gatehouse rotate-key` writes
to it too. After each part it checks the database directly (see `INVARIANTS`) and the
audit trail against what the servers answered, and fails on any 5xx outside the time
the database was down.

Only the standard library: the servers, psql and sqlite3 do the rest. Loopback only.
"""

import argparse
import contextlib
import hashlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict

POSTGRES_URL = os.environ.get(
    "GATEHOUSE_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"
)
SUPER_ADMIN = ("chaos-admin@example.com", "chaos admin password")
PASSWORD = "chaos member password"
ALL_SCOPES = [
    "members:read", "members:write", "groups:read", "groups:write",
    "resources:read", "resources:write", "audit:read", "instance:read",
]
ROLES = ["admin", "builder", "end-user"]

# Operations whose success writes exactly one event of this action and whose refusal
# writes none: the trail must hold as many as succeeded, and no more than succeeded
# plus those whose outcome the harness could not learn (a killed server, the database
# going away).
EXACT_EVENTS = {
    "invite": "member.invited",
    "create_group": "group.created",
    "delete_group": "group.deleted",
    "create_app": "resource.created",
    "archive": "member.archived",
    "unarchive": "member.unarchived",
    "remove": "member.removed",
    "join": "invitation.accepted",
}
# Operations that write at most one event: a repeated add changes nothing.
AT_MOST_EVENTS = {"add_to_group": "group.member_added"}

# Each invariant is a query for the rows that break it: none may come back.
INVARIANTS = {
    "every active workspace has an active admin": """
        SELECT w.slug FROM workspaces w
        WHERE w.status = 'active' AND NOT EXISTS (
            SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
            WHERE m.workspace_id = w.id AND m.role = 'admin' AND m.status = 'active'
              AND u.status = 'active')""",
    "no End-user is in a builder-level group": """
        SELECT m.workspace_id, m.user_id, g.name FROM memberships m
        JOIN group_members gm ON gm.workspace_id = m.workspace_id AND gm.user_id = m.user_id
        JOIN groups g ON g.id = gm.group_id
        WHERE m.role = 'end-user' AND g.role IS NULL AND (g.flags <> 0 OR EXISTS (
            SELECT 1 FROM group_rules r WHERE r.group_id = g.id
              AND (r.kind = 'data_source' OR r.access = 'edit')))""",
    "each workspace's kept member counts equal a recount": """
        SELECT k.workspace_id, k.status, k.members, COALESCE(c.n, 0) FROM member_counts k
        LEFT JOIN (SELECT workspace_id, status, COUNT(*) AS n FROM memberships
                   GROUP BY workspace_id, status) c
          ON c.workspace_id = k.workspace_id AND c.status = k.status
        WHERE k.members <> COALESCE(c.n, 0)
        UNION ALL
        SELECT m.workspace_id, m.status, 0, COUNT(*) FROM memberships m
        WHERE NOT EXISTS (SELECT 1 FROM member_counts k
                          WHERE k.workspace_id = m.workspace_id AND k.status = m.status)
        GROUP BY m.workspace_id, m.status""",
    "each user's kept tallies equal a recount": """
        SELECT u.id, u.live_memberships, u.building_memberships FROM users u
        WHERE u.live_memberships <> (
                SELECT COUNT(*) FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
                WHERE m.user_id = u.id AND m.status <> 'archived' AND w.status = 'active')
           OR u.building_memberships <> (
                SELECT COUNT(*) FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
                WHERE m.user_id = u.id AND m.status <> 'archived' AND w.status = 'active'
                  AND m.role <> 'end-user')""",
    "the instance's kept user counts equal a recount": """
        SELECT k.users, k.builders FROM user_counts k
        WHERE k.users <> (SELECT COUNT(*) FROM users WHERE live_memberships > 0)
           OR k.builders <> (SELECT COUNT(*) FROM users WHERE building_memberships > 0)""",
    "no invitation was used after it was replaced": """
        SELECT id FROM invitations
        WHERE used_at IS NOT NULL AND revoked_at IS NOT NULL AND revoked_at < used_at""",
    "every member has the event that made them one": """
        SELECT m.workspace_id, m.user_id FROM memberships m
        WHERE NOT EXISTS (
            SELECT 1 FROM audit_events e
            WHERE e.workspace_id = m.workspace_id AND e.target_user_id = m.user_id
              AND e.action IN ('member.invited', 'member.provisioned', 'sso.joined'))
          AND NOT EXISTS (
            SELECT 1 FROM audit_events e
            WHERE e.workspace_id = m.workspace_id AND e.actor_user_id = m.user_id
              AND e.action = 'workspace.created')""",
    "no invitation event for a change that didn't commit": """
        SELECT e.id FROM audit_events e
        WHERE e.action = 'member.invited' AND NOT EXISTS (
            SELECT 1 FROM memberships m
            WHERE m.workspace_id = e.workspace_id AND m.user_id = e.target_user_id)
          AND NOT EXISTS (
            SELECT 1 FROM audit_events r
            WHERE r.workspace_id = e.workspace_id AND r.target_user_id = e.target_user_id
              AND r.action = 'member.removed' AND r.id > e.id)""",
    "every resource has the event that created it": """
        SELECT r.id FROM resources r WHERE NOT EXISTS (
            SELECT 1 FROM audit_events e
            WHERE e.resource_id = r.id AND e.action = 'resource.created')""",
}


class Failed(Exception):
    pass


# ---------------------------------------------------------------------------- HTTP


class Reply:
    def __init__(self, status, body, headers, seconds):
        self.status, self.body, self.headers, self.seconds = status, body, headers, seconds

    def json(self):
        return json.loads(self.body or b"null")


def request(base, method, path, *, body=None, form=None, token=None, cookie=None,
            timeout=30):
    """One request on a fresh connection. Returns a Reply, or None when the server
    could not be reached or dropped the connection (its outcome is unknown)."""
    host, port = base
    headers = {"accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["content-type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["content-type"] = "application/x-www-form-urlencoded"
    if token:
        headers["authorization"] = f"Bearer {token}"
    if cookie:
        headers["cookie"] = cookie
    if path.startswith("/api/") and not path.startswith("/api/v1/"):
        headers["sec-fetch-site"] = "same-origin"
    started = time.monotonic()
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        return Reply(response.status, payload, response.headers, time.monotonic() - started)
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def session_cookie(reply):
    for value in reply.headers.get_all("set-cookie") or []:
        pair = value.split(";", 1)[0]
        if "gatehouse_session=" in pair and not pair.endswith("="):
            return pair
    return None


# ---------------------------------------------------------------------------- servers


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, name, binary, site, env, log_dir):
        self.name, self.binary, self.site = name, binary, site
        self.port = free_port()
        self.base = ("127.0.0.1", self.port)
        self.env = dict(os.environ, **env, GATEHOUSE_LISTEN_ADDR=f"127.0.0.1:{self.port}",
                        LEPTOS_SITE_ROOT=site, LEPTOS_ENV="PROD", RUST_LOG="warn")
        self.log_path = os.path.join(log_dir, f"{name}.log")
        self.process = None

    def start(self):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen([self.binary], env=self.env, stdout=log,
                                        stderr=subprocess.STDOUT)
        return self.wait_healthy(30)

    def wait_healthy(self, limit):
        """Seconds until /health answers 200."""
        started = time.monotonic()
        while time.monotonic() - started < limit:
            if self.process.poll() is not None:
                raise Failed(f"{self.name} exited at start; see {self.log_path}")
            reply = request(self.base, "GET", "/health", timeout=5)
            if reply and reply.status == 200:
                return time.monotonic() - started
            time.sleep(0.05)
        raise Failed(f"{self.name} did not answer /health within {limit} s")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def panics_logged(self):
        with open(self.log_path, errors="replace") as log:
            return [line for line in log if "panicked" in line]

    def lines_logged(self, text):
        with open(self.log_path, errors="replace") as log:
            return sum(text in line for line in log)


# ---------------------------------------------------------------------------- the database


class Database:
    """Reads the database directly: psql for PostgreSQL, sqlite3 for SQLite."""

    def __init__(self, url):
        self.url = url

    def rows(self, sql):
        if self.url.startswith("sqlite:"):
            path = urllib.parse.urlparse(self.url.replace("sqlite://", "file://", 1)).path
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as db:
                return [tuple(str(v) for v in row) for row in db.execute(sql)]
        out = subprocess.run(["psql", self.url, "-X", "-At", "-F", "\t", "-c", sql],
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise Failed(f"psql: {out.stderr.strip()}")
        return [tuple(line.split("\t")) for line in out.stdout.splitlines() if line]

    def value(self, sql):
        rows = self.rows(sql)
        return rows[0][0] if rows else None


def postgres_database_url(name):
    parsed = urllib.parse.urlparse(POSTGRES_URL)
    return urllib.parse.urlunparse(parsed._replace(path=f"/{name}"))


def recreate_postgres_database(name):
    admin = Database(POSTGRES_URL)
    admin.rows(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.rows(f"CREATE DATABASE {name}")


def restart_postgres(down_seconds, while_down):
    """Stops PostgreSQL, calls while_down, keeps it down at least down_seconds, starts
    it. Returns when it accepts connections again."""
    cluster = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True)
    version, name = cluster.stdout.split()[:2]
    subprocess.run(["pg_ctlcluster", version, name, "stop", "-m", "fast"], check=True)
    stopped = time.monotonic()
    while_down()
    time.sleep(max(0, stopped + down_seconds - time.monotonic()))
    subprocess.run(["pg_ctlcluster", version, name, "start"], check=True)
    return time.monotonic()


def key_ids(path):
    """The ids of the master keys in a key file, as the server derives them."""
    ids = []
    with open(path) as keys:
        for line in keys:
            line = line.strip()
            if line and not line.startswith("#"):
                digest = hashlib.sha256(b"gatehouse-master-key-id:" + bytes.fromhex(line))
                ids.append(digest.hexdigest()[:16])
    return ids


# ---------------------------------------------------------------------------- the world


class Workspace:
    def __init__(self, slug, workspace_id):
        self.slug, self.id = slug, workspace_id
        self.admins = []  # (email, token, cookie)
        self.acting = set()  # the user ids of the admins above
        self.members = {}  # user_id -> email
        self.joined = {}  # email -> password
        self.groups = []
        self.apps = []
        self.lock = threading.Lock()


class Record:
    """What the servers answered, by operation."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.outcomes = defaultdict(lambda: defaultdict(int))
        self.server_errors = []
        self.events_expected = defaultdict(int)
        self.events_unknown = defaultdict(int)
        self.database_down = False
        self.refused_while_down = []  # how long each 503 took while the database was down

    def note(self, operation, reply, events=1):
        """Counts one request. `events` is how many audit events its success writes."""
        with self.lock:
            if reply is None:
                self.outcomes[operation]["no answer"] += 1
                self.events_unknown[operation] += events
                return
            self.outcomes[operation][reply.status] += 1
            self.latencies[operation].append(reply.seconds)
            if 200 <= reply.status < 300:
                self.events_expected[operation] += events
            elif reply.status >= 500:
                self.events_unknown[operation] += events
                if self.database_down and reply.status == 503:
                    self.refused_while_down.append(reply.seconds)
                else:
                    self.server_errors.append((operation, reply.status, reply.body[:300]))


class Harness:
    def __init__(self, args, servers, database, key_file, log_dir, seed):
        self.args, self.servers, self.db = args, servers, database
        self.key_file, self.log_dir = key_file, log_dir
        self.random = random.Random(seed)
        self.record = Record()
        self.workspaces = []
        self.super_cookie = None
        self.counter = 0
        self.counter_lock = threading.Lock()
        self.stop = threading.Event()
        self.bulk_batches = []  # (workspace, tag, rows): all of it applied, or none
        self.duel = None
        self.bulk_cookie = None

    def unique(self, prefix):
        with self.counter_lock:
            self.counter += 1
            return f"{prefix}-{self.counter}"

    def server(self, rng):
        live = [s for s in self.servers if s.process and s.process.poll() is None]
        return rng.choice(live or self.servers).base

    # --- setting up

    def sign_in(self, base, email, password):
        reply = request(base, "POST", "/api/sign-in", form={"email": email, "password": password})
        cookie = reply and session_cookie(reply)
        if not cookie:
            raise Failed(f"could not sign in as {email}: {reply and reply.status}")
        return cookie

    def token_for(self, base, cookie):
        reply = request(base, "POST", "/api/tokens/create", cookie=cookie, body={
            "name": self.unique("chaos"), "scopes": ALL_SCOPES, "valid_for_days": 1})
        if not reply or reply.status != 200:
            raise Failed(f"could not create a token: {reply and reply.body}")
        return reply.json()["secret"]

    def join(self, base, link_token, name):
        return request(base, "POST", "/api/invitations/join",
                       form={"token": link_token, "full_name": name, "password": PASSWORD})

    def invitation_token(self, base, token, slug, user_id):
        reply = request(base, "POST",
                        f"/api/v1/workspaces/{slug}/members/{user_id}/invitation-link",
                        token=token)
        if not reply or reply.status != 200:
            return None
        return reply.json()["link"].rsplit("/", 1)[-1]

    def create_workspace(self, base, prefix):
        """A workspace the super admin creates, and so is an admin of; its slug."""
        reply = request(base, "POST", "/api/workspaces/create", cookie=self.super_cookie,
                        form={"name": self.unique(prefix)})
        if not reply or reply.status != 200:
            raise Failed(f"could not create a workspace: {reply and reply.body}")
        return reply.json()["slug"]

    def joined_admin(self, base, super_token, slug, prefix, name):
        """Invites a new admin to the workspace at `slug` and joins through the copied
        link, as a person would: their user id, email and session cookie."""
        email = self.unique(prefix) + "@chaos.test"
        invited = request(base, "POST", f"/api/v1/workspaces/{slug}/members", token=super_token,
                          body={"email": email, "role": "admin", "full_name": name})
        user_id = invited.json()["user_id"]
        joined = self.join(base, self.invitation_token(base, super_token, slug, user_id), name)
        cookie = joined and session_cookie(joined)
        if not cookie:
            raise Failed(f"an admin could not join: {joined and joined.body}")
        return user_id, email, cookie

    def seed(self, workspace_count, admins_per_workspace):
        base = self.servers[0].base
        self.super_cookie = self.sign_in(base, *SUPER_ADMIN)
        super_token = self.token_for(base, self.super_cookie)
        for _ in range(workspace_count):
            slug = self.create_workspace(base, "Chaos")
            workspace_id = int(self.db.value(f"SELECT id FROM workspaces WHERE slug = '{slug}'"))
            workspace = Workspace(slug, workspace_id)
            for _ in range(admins_per_workspace):
                user_id, email, cookie = self.joined_admin(base, super_token, slug, "admin",
                                                           "Chaos Admin")
                workspace.admins.append((email, self.token_for(base, cookie), cookie))
                workspace.members[user_id] = email
                workspace.acting.add(user_id)
            self.workspaces.append(workspace)
        # The 10,000-row bulk invite's sender, whom no simulated person acts as, so that
        # no invitation rate limit stops it.
        bulk_workspace = self.workspaces[0]
        user_id, email, self.bulk_cookie = self.joined_admin(
            base, super_token, bulk_workspace.slug, "bulk-admin", "Chaos Bulk Admin")
        bulk_workspace.members[user_id] = email
        bulk_workspace.acting.add(user_id)
        self.seed_duel(base, super_token)

    def seed_duel(self, base, super_token):
        """A workspace with exactly two admins and nobody else, who keep trying to make
        each other End-users at once: one of them must stay an admin."""
        slug = self.create_workspace(base, "Duel")
        duelists = []
        for _ in range(2):
            user_id, _, cookie = self.joined_admin(base, super_token, slug, "duelist",
                                                   "Chaos Duelist")
            duelists.append((user_id, self.token_for(base, cookie)))
        super_admin_id = self.db.value(
            f"SELECT id FROM users WHERE email = '{SUPER_ADMIN[0]}'")
        left = request(base, "DELETE", f"/api/v1/workspaces/{slug}/members/{super_admin_id}",
                       token=duelists[0][1])
        if not left or left.status != 204:
            raise Failed(f"the duel's workspace kept its creator: {left and left.body}")
        self.duel = (slug, duelists, threading.Lock())

    # --- the simulated people

    def worker(self, seed):
        rng = random.Random(seed)
        operations = [
            (self.op_invite, 6), (self.op_join, 3), (self.op_role, 4), (self.op_archive, 2),
            (self.op_unarchive, 2), (self.op_remove, 1), (self.op_create_group, 2),
            (self.op_add_to_group, 4), (self.op_flag, 2), (self.op_rule, 1),
            (self.op_delete_group, 1), (self.op_create_app, 2), (self.op_edit_app, 3),
            (self.op_sign_in_out, 2), (self.op_bulk, 1), (self.op_list, 4),
            (self.op_workspace_archive, 1), (self.op_duel, 2),
        ]
        choices = [op for op, weight in operations for _ in range(weight)]
        while not self.stop.is_set():
            workspace = rng.choice(self.workspaces)
            _, token, cookie = rng.choice(workspace.admins)
            rng.choice(choices)(rng, workspace, token, cookie)

    def member(self, rng, workspace):
        """Anyone but the admins the harness acts as (the duel changes those)."""
        with workspace.lock:
            others = [user_id for user_id in workspace.members
                      if user_id not in workspace.acting]
            return rng.choice(others) if others else None

    def someone_elsewhere(self, rng, workspace):
        """The email of a member of another workspace: people in several workspaces are
        where changes in different workspaces meet (each user's tallies, the instance's
        counts)."""
        other = rng.choice(self.workspaces)
        if other is workspace:
            return None
        with other.lock:
            emails = [email for user_id, email in other.members.items()
                      if user_id not in other.acting]
        return rng.choice(emails) if emails else None

    def op_invite(self, rng, workspace, token, _):
        email = rng.random() < 0.3 and self.someone_elsewhere(rng, workspace)
        email = email or self.unique("person") + "@chaos.test"
        role = rng.choice(["end-user", "end-user", "builder", "admin"])
        reply = self.send(rng, workspace, token, "invite", "POST", "/members",
                          {"email": email, "role": role,
                           "metadata": {"region": rng.choice(["eu", "us"])}})
        if reply and 200 <= reply.status < 300:
            with workspace.lock:
                workspace.members[reply.json()["user_id"]] = email

    def op_join(self, rng, workspace, token, _):
        user_id = self.member(rng, workspace)
        if user_id is None:
            return
        link = self.invitation_token(self.server(rng), token, workspace.slug, user_id)
        if link is None:
            return
        # The same link on both servers at once: it works once.
        replies = [None, None]

        def attempt(index, server):
            replies[index] = self.join(server.base, link, "Chaos Person")

        threads = [threading.Thread(target=attempt, args=(i, s))
                   for i, s in enumerate(self.servers[:2])]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # A link an admin copied can't set the password of an account that has one
        # already (someone archived and unarchived, say): it mails a link instead.
        joined = [r for r in replies
                  if r and 200 <= r.status < 300 and r.json().get("outcome") == "joined"]
        for reply in replies:
            self.record.note("join", reply, events=0 if reply and reply not in joined else 1)
        if len(joined) > 1:
            with self.record.lock:
                self.record.server_errors.append(
                    ("join", "one link joined twice", b" | ".join(r.body for r in joined)))
        if joined:
            with workspace.lock:
                workspace.joined[workspace.members.get(user_id, "")] = PASSWORD

    def send(self, rng, workspace, token, operation, method, path, body=None):
        """One REST request in the workspace, to a random server, counted as `operation`."""
        reply = request(self.server(rng), method, f"/api/v1/workspaces/{workspace.slug}{path}",
                        token=token, body=body)
        self.record.note(operation, reply)
        return reply

    def member_change(self, rng, workspace, token, operation, method, suffix, body=None):
        user_id = self.member(rng, workspace)
        if user_id is None:
            return None
        return user_id, self.send(rng, workspace, token, operation, method,
                                  f"/members/{user_id}{suffix}", body)

    def op_role(self, rng, workspace, token, _):
        self.member_change(rng, workspace, token, "role", "PATCH", "",
                           body={"role": rng.choice(ROLES)})

    def op_archive(self, rng, workspace, token, _):
        self.member_change(rng, workspace, token, "archive", "POST", "/archive")

    def op_unarchive(self, rng, workspace, token, _):
        self.member_change(rng, workspace, token, "unarchive", "POST", "/unarchive")

    def op_remove(self, rng, workspace, token, _):
        changed = self.member_change(rng, workspace, token, "remove", "DELETE", "")
        if changed and changed[1] and 200 <= changed[1].status < 300:
            with workspace.lock:
                workspace.members.pop(changed[0], None)

    def op_create_group(self, rng, workspace, token, _):
        reply = self.send(rng, workspace, token, "create_group", "POST", "/groups",
                          {"name": self.unique("Group")})
        if reply and 200 <= reply.status < 300:
            with workspace.lock:
                workspace.groups.append(reply.json()["id"])

    def group(self, rng, workspace):
        with workspace.lock:
            return rng.choice(workspace.groups) if workspace.groups else None

    def change_group(self, rng, workspace, token, operation, method, path="", body=None):
        """A change to a random custom group of the workspace; its id and the answer."""
        group_id = self.group(rng, workspace)
        if group_id is None:
            return None, None
        return group_id, self.send(rng, workspace, token, operation, method,
                                   f"/groups/{group_id}{path}", body)

    def op_add_to_group(self, rng, workspace, token, _):
        user_id = self.member(rng, workspace)
        if user_id is not None:
            self.change_group(rng, workspace, token, "add_to_group", "PUT",
                              f"/members/{user_id}",
                              {"allow_role_change": rng.random() < 0.5})

    def op_flag(self, rng, workspace, token, _):
        self.change_group(rng, workspace, token, "flag", "PUT", "/flags/app_create",
                          {"on": rng.random() < 0.6, "allow_role_change": rng.random() < 0.5})

    def op_rule(self, rng, workspace, token, _):
        self.change_group(rng, workspace, token, "rule", "POST", "/rules",
                          {"name": self.unique("Rule"), "kind": "app",
                           "access": rng.choice(["edit", "view"]),
                           "allow_role_change": rng.random() < 0.5})

    def op_delete_group(self, rng, workspace, token, _):
        group_id, reply = self.change_group(rng, workspace, token, "delete_group", "DELETE")
        if reply and 200 <= reply.status < 300:
            with workspace.lock:
                if group_id in workspace.groups:
                    workspace.groups.remove(group_id)

    def op_create_app(self, rng, workspace, token, _):
        reply = self.send(rng, workspace, token, "create_app", "POST", "/apps",
                          {"name": self.unique("App")})
        if reply and 200 <= reply.status < 300:
            with workspace.lock:
                workspace.apps.append(reply.json()["id"])

    def op_edit_app(self, rng, workspace, token, _):
        with workspace.lock:
            app_id = rng.choice(workspace.apps) if workspace.apps else None
        if app_id is None:
            return
        self.send(rng, workspace, token, "edit_app", "PATCH", f"/apps/{app_id}",
                  {"body": f"Hello {{{{globals.currentUser.metadata.region}}}} {rng.random()}"})

    def op_sign_in_out(self, rng, workspace, _token, _cookie):
        with workspace.lock:
            if not workspace.joined:
                return
            email = rng.choice(list(workspace.joined))
        base = self.server(rng)
        reply = request(base, "POST", "/api/sign-in", form={"email": email, "password": PASSWORD})
        self.record.note("sign_in", reply, events=0)
        cookie = reply and session_cookie(reply)
        if cookie:
            self.record.note("sign_out", request(self.server(rng), "POST", "/api/sign-out",
                                                 cookie=cookie), events=0)

    def op_workspace_archive(self, rng, workspace, _token, _cookie):
        """A super admin archives or restores a workspace other people are working in (not
        the first, where the big bulk invite goes)."""
        if workspace is self.workspaces[0] or rng.random() > 0.2:
            return
        for archived in ("true", "false"):
            reply = request(self.server(rng), "POST", "/api/instance/archive-workspace",
                            cookie=self.super_cookie,
                            form={"slug": workspace.slug, "archived": archived})
            self.record.note("workspace", reply, events=0)
            time.sleep(0.2)

    def op_duel(self, rng, _workspace, _token, _cookie):
        slug, duelists, lock = self.duel
        if not lock.acquire(blocking=False):
            return
        try:
            replies = [None, None]

            def demote(index):
                _, token = duelists[index]
                other, _ = duelists[1 - index]
                replies[index] = request(self.servers[index % len(self.servers)].base,
                                         "PATCH", f"/api/v1/workspaces/{slug}/members/{other}",
                                         token=token, body={"role": "end-user"})

            threads = [threading.Thread(target=demote, args=(i,)) for i in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            for reply in replies:
                self.record.note("duel", reply, events=0)
            if all(r and 200 <= r.status < 300 for r in replies):
                with self.record.lock:
                    self.record.server_errors.append(
                        ("duel", "both admins made each other End-users", b""))
            # Whoever is still an admin makes the other one an admin again.
            for index in range(2):
                _, token = duelists[index]
                other, _ = duelists[1 - index]
                request(self.server(rng), "PATCH", f"/api/v1/workspaces/{slug}/members/{other}",
                        token=token, body={"role": "admin"})
        finally:
            lock.release()

    def op_list(self, rng, workspace, token, _):
        reply = request(self.server(rng), "GET",
                        f"/api/v1/workspaces/{workspace.slug}/members?limit=50", token=token)
        self.record.note("list", reply, events=0)

    def bulk_csv(self, tag, rows, existing=()):
        lines = ["Full Name,Email,Role,Groups,Metadata"]
        lines += [f'Bulk {i},{tag}-{i}@chaos.test,End-user,,"{{""region"":""eu""}}"'
                  for i in range(rows)]
        lines += [f"Someone,{email},Builder,," for email in existing]
        return "\n".join(lines) + "\n"

    def bulk_invite(self, base, workspace, cookie, rows, existing=(), timeout=120):
        tag = self.unique("bulk")
        csv = self.bulk_csv(tag, rows, existing)
        reply = request(base, "POST", "/api/users/import-csv", cookie=cookie, timeout=timeout,
                        body={"slug": workspace.slug, "csv": csv, "dry_run": False})
        return tag, reply

    def op_bulk(self, rng, workspace, _token, cookie):
        rows = rng.randint(3, 20)
        existing = {self.someone_elsewhere(rng, workspace) for _ in range(rng.randint(0, 4))}
        existing.discard(None)
        tag, reply = self.bulk_invite(self.server(rng), workspace, cookie, rows, existing)
        self.record.note("bulk_invite", reply, events=rows + len(existing))
        self.bulk_batches.append((workspace, tag, rows))

    # --- running

    def run_workers(self, count, seconds, faults=()):
        self.stop.clear()
        threads = [threading.Thread(target=self.worker, args=(self.random.random(),), daemon=True)
                   for _ in range(count)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for at, fault in sorted(faults, key=lambda pair: pair[0]):
            delay = started + at * seconds - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            fault()
        remaining = started + seconds - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)
        self.stop.set()
        for thread in threads:
            thread.join(120)
        return time.monotonic() - started


# ---------------------------------------------------------------------------- checks


def check_invariants(db, harness, start_event_id, key_file):
    violations = []
    for name, sql in INVARIANTS.items():
        rows = db.rows(sql)
        if rows:
            violations.append(f"{name}: {rows[:5]}")
    for workspace, tag, rows in harness.bulk_batches:
        present = int(db.value(
            f"SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id "
            f"WHERE m.workspace_id = {workspace.id} AND u.email LIKE '{tag}-%'"))
        if present not in (0, rows):
            violations.append(f"bulk invite {tag} is partly applied: {present} of {rows}")
    record = harness.record
    workspace_ids = ",".join(str(w.id) for w in harness.workspaces)
    counted = dict(db.rows(
        f"SELECT action, COUNT(*) FROM audit_events WHERE id > {start_event_id} "
        f"AND workspace_id IN ({workspace_ids}) GROUP BY action"))
    bounds = defaultdict(lambda: [0, 0])
    for operation, action in list(EXACT_EVENTS.items()) + [("bulk_invite", "member.invited")]:
        bounds[action][0] += record.events_expected[operation]
        bounds[action][1] += record.events_expected[operation] + record.events_unknown[operation]
    for operation, action in AT_MOST_EVENTS.items():
        bounds[action][1] += record.events_expected[operation] + record.events_unknown[operation]
    for action, (least, most) in bounds.items():
        found = int(counted.get(action, 0))
        if not least <= found <= most:
            violations.append(f"audit trail: {found} {action} events; the answers say "
                              f"between {least} and {most}")
    if key_file:
        known = set(key_ids(key_file))
        for table, column in [("member_metadata", "key_id"), ("resources", "key_id"),
                              ("mail_outbox", "key_id"), ("scim_user_documents", "key_id"),
                              ("sso_providers", "client_secret_key_id")]:
            for (key_id,) in db.rows(f"SELECT DISTINCT {column} FROM {table} "
                                     f"WHERE {column} IS NOT NULL"):
                if key_id not in known:
                    violations.append(f"{table} holds values sealed with key {key_id}, "
                                      "which the key file doesn't have")
    return violations


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0


def report(name, record, seconds):
    total = sum(sum(o.values()) for o in record.outcomes.values())
    print(f"\n{name}: {total} requests in {seconds:.0f} s, {total / seconds:.0f} per second")
    print(f"  {'operation':<14}{'count':>7}{'p50 ms':>9}{'p99 ms':>9}  answers")
    for operation in sorted(record.outcomes):
        latencies = record.latencies[operation]
        answers = ", ".join(f"{k}: {v}" for k, v in sorted(record.outcomes[operation].items(),
                                                           key=lambda kv: str(kv[0])))
        print(f"  {operation:<14}{len(latencies):>7}{percentile(latencies, .5) * 1000:>9.0f}"
              f"{percentile(latencies, .99) * 1000:>9.0f}  {answers}")


# ---------------------------------------------------------------------------- the parts


def common_env(data_dir, key_file, database_url):
    return {
        "DATABASE_URL": database_url,
        "GATEHOUSE_DATA_DIR": data_dir,
        "GATEHOUSE_MASTER_KEY_FILE": key_file,
        "GATEHOUSE_ADMIN_EMAIL": SUPER_ADMIN[0],
        "GATEHOUSE_ADMIN_PASSWORD": SUPER_ADMIN[1],
        "GATEHOUSE_API_REQUESTS_PER_MINUTE": "1000000",
        "GATEHOUSE_SIGN_IN_LIMIT_PER_EMAIL_AND_ADDRESS": "1000000",
        "GATEHOUSE_SIGN_IN_LIMIT_PER_ADDRESS": "1000000",
        "GATEHOUSE_BULK_INVITE_MAX_ROWS": "10000",
    }


def rotate_key(binary, env, log_dir, kill_after=None):
    """Runs `gatehouse rotate-key`; with kill_after, kills it that many seconds in."""
    with open(os.path.join(log_dir, "rotate-key.log"), "ab") as log:
        process = subprocess.Popen([binary, "rotate-key"], env=dict(os.environ, **env),
                                   stdout=log, stderr=subprocess.STDOUT)
        if kill_after is None:
            return process.wait(300)
        time.sleep(kill_after)
        process.send_signal(signal.SIGKILL)
        return process.wait()


@contextlib.contextmanager
def serving(servers):
    try:
        for server in servers:
            server.start()
        yield
    finally:
        for server in servers:
            server.stop()


def findings_after(name, harness, seconds, start_event_id):
    """Reports a part's figures and returns what broke in it."""
    report(name, harness.record, seconds)
    findings = [f"{operation}: {status} {body!r}"
                for operation, status, body in harness.record.server_errors]
    findings += check_invariants(harness.db, harness, start_event_id, harness.key_file)
    retried = 0
    for server in harness.servers:
        findings += [f"{server.name} panicked: {line.strip()}"
                     for line in server.panics_logged()]
        retried += server.lines_logged("a transaction lost a race")
    print(f"  transactions that lost a race and ran again: {retried}")
    return findings


def open_every_sealed_value(args, env, log_dir):
    """One more rotation: a new key, so that every value is opened to be sealed again."""
    if rotate_key(args.binary, env, log_dir) != 0:
        return ["a rotation after the run could not open every sealed value "
                f"(see {log_dir}/rotate-key.log)"]
    return []


def postgres_part(args, log_dir):
    name = f"gatehouse_chaos_{os.getpid()}"
    recreate_postgres_database(name)
    url = postgres_database_url(name)
    db = Database(url)
    key_file = os.path.join(log_dir, "master.key")
    servers = [Server(f"postgres-{n}", args.binary, args.site,
                      common_env(os.path.join(log_dir, f"data-{n}"), key_file, url), log_dir)
               for n in "ab"]
    findings, figures = [], {}
    with serving(servers):
        harness = Harness(args, servers, db, key_file, log_dir, args.seed)
        harness.seed(args.workspaces, args.admins)
        start_event = int(db.value("SELECT COALESCE(MAX(id), 0) FROM audit_events"))
        bulk_workspace = harness.workspaces[0]
        victim, survivor = servers[1], servers[0]

        def kill_during_bulk_invite():
            result = {}

            def send():
                result["tag"], result["reply"] = harness.bulk_invite(
                    victim.base, bulk_workspace, harness.bulk_cookie, args.bulk_rows)

            sender = threading.Thread(target=send)
            sender.start()
            # Killed once a transaction has been writing for a while: the bulk invite's.
            deadline = time.monotonic() + 30
            while sender.is_alive() and time.monotonic() < deadline and not int(db.value(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND backend_xid IS NOT NULL "
                    f"AND now() - xact_start > interval '{args.kill_after} seconds'")):
                time.sleep(0.05)
            survivor_errors = len(harness.record.server_errors)
            victim.kill()
            killed_at = time.monotonic()
            sender.join()
            harness.record.note("bulk_invite", result["reply"], events=args.bulk_rows)
            harness.bulk_batches.append((bulk_workspace, result["tag"], args.bulk_rows))
            figures["restart after kill -9 (s)"] = victim.start()
            figures["serving again after kill -9 (s)"] = time.monotonic() - killed_at
            figures["5xx from the other server meanwhile"] = (
                len(harness.record.server_errors) - survivor_errors)
            if result["reply"]:
                findings.append(f"the {args.bulk_rows}-row bulk invite was answered "
                                f"{result['reply'].status} before its server was killed, "
                                "so that fault was never injected")
            print(f"  killed {victim.name} during a {args.bulk_rows}-row bulk invite")

        def kill_rotate_key():
            env = common_env(os.path.join(log_dir, "data-rotate"), key_file, url)
            status = rotate_key(args.binary, env, log_dir, kill_after=args.rotate_kill_after)
            print(f"  killed rotate-key after {args.rotate_kill_after} s (exit {status})")
            harness.rotate_env = env

        def restart_database():
            harness.record.database_down = True
            went_down = time.monotonic()

            def ask_health():
                def ask(server):
                    reply = request(server.base, "GET", "/health", timeout=30)
                    figures[f"/health of {server.name} while the database is down"] = (
                        f"{reply.status} in {reply.seconds:.2f} s" if reply else "no answer")
                    if not reply or reply.status != 503:
                        findings.append(f"{server.name}'s /health answered "
                                        f"{reply and reply.status} while the database was down")

                askers = [threading.Thread(target=ask, args=(s,)) for s in servers]
                for asker in askers:
                    asker.start()
                for asker in askers:
                    asker.join()

            back_at = restart_postgres(args.postgres_down, ask_health)
            recovered = {}
            for server in servers:
                recovered[server.name] = server.wait_healthy(60)
            # A change through each server, to see writes recover too.
            for server in servers:
                started = time.monotonic()
                while time.monotonic() - started < 60:
                    reply = request(server.base, "POST",
                                    f"/api/v1/workspaces/{bulk_workspace.slug}/groups",
                                    token=bulk_workspace.admins[0][1],
                                    body={"name": harness.unique("After restart")})
                    harness.record.note("create_group", reply)
                    if reply and 200 <= reply.status < 300:
                        break
                    time.sleep(0.05)
            harness.record.database_down = False
            figures["database down (s)"] = back_at - went_down
            waits = harness.record.refused_while_down
            figures["503s while it was down"] = (
                f"{len(waits)}, the slowest in {max(waits):.2f} s" if waits else "none")
            figures["healthy after the database returned (s)"] = max(recovered.values())
            figures["writing after the database returned (s)"] = time.monotonic() - back_at

        seconds = harness.run_workers(args.workers, args.seconds, faults=[
            (0.2, kill_during_bulk_invite), (0.45, kill_rotate_key), (0.65, restart_database)])
        # The documented recovery from a stopped rotation: run it again. It starts with
        # a new key, so it opens every sealed value to seal it again.
        findings += open_every_sealed_value(args, harness.rotate_env, log_dir)
        findings += findings_after("PostgreSQL, two servers", harness, seconds, start_event)
    if not findings:
        Database(POSTGRES_URL).rows(f"DROP DATABASE {name} WITH (FORCE)")
    return findings, figures


def sqlite_part(args, log_dir):
    path = os.path.join(log_dir, "sqlite", "gatehouse.db")
    os.makedirs(os.path.dirname(path))
    url = f"sqlite://{path}?mode=rwc"
    db = Database(url)
    key_file = os.path.join(log_dir, "sqlite", "master.key")
    env = common_env(os.path.dirname(path), key_file, url)
    servers = [Server(f"sqlite-{n}", args.binary, args.site, env, log_dir) for n in "ab"]
    findings, figures = [], {}
    with serving(servers):
        harness = Harness(args, servers, db, key_file, log_dir, args.seed + 1)
        harness.seed(2, 2)
        start_event = int(db.value("SELECT COALESCE(MAX(id), 0) FROM audit_events"))

        def rotate_while_serving():
            status = rotate_key(args.binary, env, log_dir)
            print(f"  rotate-key while two servers write to the same file: exit {status}")
            if status != 0:
                findings.append("rotate-key failed while the servers were writing")

        seconds = harness.run_workers(args.workers, args.sqlite_seconds, faults=[
            (0.5, rotate_while_serving)])
        findings += open_every_sealed_value(args, env, log_dir)
        findings += findings_after("SQLite, two servers on one file", harness, seconds,
                                   start_event)
    return findings, figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--site", required=True)
    parser.add_argument("--seconds", type=float, default=45)
    parser.add_argument("--sqlite-seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--workspaces", type=int, default=3)
    parser.add_argument("--admins", type=int, default=4)
    parser.add_argument("--bulk-rows", type=int, default=10_000)
    parser.add_argument("--kill-after", type=float, default=0.5,
                        help="how long the big bulk invite's transaction writes before its "
                             "server is killed")
    parser.add_argument("--rotate-kill-after", type=float, default=0.4)
    parser.add_argument("--postgres-down", type=float, default=3)
    parser.add_argument("--seed", type=int, default=20261202)
    args = parser.parse_args()

    log_dir = tempfile.mkdtemp(prefix="gatehouse-chaos-")
    print(f"chaos: logs and databases in {log_dir} (kept if it fails); seed {args.seed}")
    findings, figures = [], {}
    for part in (postgres_part, sqlite_part):
        part_findings, part_figures = part(args, log_dir)
        findings += part_findings
        figures.update(part_figures)
    print("\nrecovery:")
    for name, value in figures.items():
        print(f"  {name}: {value:.2f}" if isinstance(value, float) else f"  {name}: {value}")
    if findings:
        print(f"\nchaos: {len(findings)} problems:", file=sys.stderr)
        for finding in findings:
            print(f"  - {finding}", file=sys.stderr)
        sys.exit(1)
    shutil.rmtree(log_dir)
    print("\nchaos: every invariant held; no 5xx outside the database's downtime")


if __name__ == "__main__":
    main()
