#!/usr/bin/env bash
# Initiates the MongoDB replica set and creates its users. Run it once, on
# the machine of the FIRST member named, after every mongod is up with
# replication.replSetName and security.keyFile set (see mongod.conf):
#
#   ROOT_PASSWORD=... RESERVATIONS_PASSWORD=... OPERATOR_PASSWORD=... \
#     bash init-replica-set.sh db1.internal:27017 db2.internal:27017 db3.internal:27017
#   (two data members and an arbiter:
#     bash init-replica-set.sh db1.internal:27017 db2.internal:27017 --arbiter db3.internal:27018)
#
# Name each member as the other members and the API will reach it (not
# localhost). The script talks to the first member through 127.0.0.1 on that
# member's port: with keyFile authentication and no user yet, MongoDB's
# "localhost exception" lets a local connection initiate the set and create
# the first user. So it initiates a one-member set, waits for it to become
# primary, creates the root user, then (as root) creates or updates the
# users below and adds the other members one at a time.
#
# Users (all authenticate against admin):
#   root          role root
#   reservations  readWrite on DB_NAME, clusterMonitor (the API: readiness and
#                 /metrics run replSetGetStatus)
#   operator      clusterManager and clusterMonitor, read on DB_NAME (the
#                 failover drill: replSetStepDown, then counting what is stored)
#
# Environment: ROOT_PASSWORD, RESERVATIONS_PASSWORD, OPERATOR_PASSWORD
# (required); ROOT_USER (root), REPLICA_SET (rs0, must equal mongod's
# replSetName), DB_NAME (reservations), WAIT_SECONDS (120), MONGOSH (mongosh).
# Passwords are handed to mongosh through its environment, never on a
# command line. The passwords end up in connection strings: letters and
# digits only (e.g. `openssl rand -hex 24`) saves URL-encoding them.
#
# Safe to run again: it skips what exists, resets the two users' passwords
# and roles to the values given, and adds only missing members. The
# deploy/compose stacks run this same script as their mongo-init job.
set -euo pipefail

usage() {
  cat >&2 <<'EOF'
usage: init-replica-set.sh HOST1:PORT HOST2:PORT (HOST3:PORT | --arbiter HOST3:PORT)
  Three data members, or two data members and an arbiter. Run it where
  127.0.0.1:PORT of HOST1 is that member's mongod. Needs ROOT_PASSWORD,
  RESERVATIONS_PASSWORD and OPERATOR_PASSWORD in the environment.
EOF
  exit 2
}

data_members=()
arbiter=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --arbiter)
      [ "$#" -ge 2 ] || usage
      arbiter="$2"
      shift 2
      ;;
    -h | --help | -*)
      usage
      ;;
    *)
      data_members+=("$1")
      shift
      ;;
  esac
done

if [ -n "$arbiter" ]; then
  if [ "${#data_members[@]}" -ne 2 ]; then
    echo "init-replica-set: with --arbiter, name exactly two data members" >&2
    usage
  fi
elif [ "${#data_members[@]}" -ne 3 ]; then
  echo "init-replica-set: name three data members, or two and --arbiter HOST:PORT" >&2
  usage
fi

all_members=("${data_members[@]}")
if [ -n "$arbiter" ]; then
  all_members+=("$arbiter")
fi
for member in "${all_members[@]}"; do
  if ! [[ "$member" =~ ^[A-Za-z0-9._-]+:[0-9]+$ ]]; then
    echo "init-replica-set: '$member' is not HOST:PORT" >&2
    exit 2
  fi
done

: "${ROOT_PASSWORD:?set ROOT_PASSWORD (password of the root user)}"
: "${RESERVATIONS_PASSWORD:?set RESERVATIONS_PASSWORD (password of the API user reservations)}"
: "${OPERATOR_PASSWORD:?set OPERATOR_PASSWORD (password of the drill user operator)}"
ROOT_USER="${ROOT_USER:-root}"
REPLICA_SET="${REPLICA_SET:-rs0}"
DB_NAME="${DB_NAME:-reservations}"
WAIT_SECONDS="${WAIT_SECONDS:-120}"
MONGOSH="${MONGOSH:-mongosh}"
export ROOT_PASSWORD RESERVATIONS_PASSWORD OPERATOR_PASSWORD

first_port="${data_members[0]##*:}"
local_uri="mongodb://127.0.0.1:${first_port}/admin?directConnection=true"

echo "init-replica-set: waiting for mongod on 127.0.0.1:${first_port}"
reachable=false
for _ in $(seq 1 "$WAIT_SECONDS"); do
  if "$MONGOSH" --quiet --norc "$local_uri" --eval 'db.adminCommand({ ping: 1 }).ok' >/dev/null 2>&1; then
    reachable=true
    break
  fi
  sleep 1
done
if [ "$reachable" != true ]; then
  echo "init-replica-set: no mongod answers on 127.0.0.1:${first_port}" >&2
  exit 1
fi

# The JavaScript reads everything it needs from its environment.
script="$(
  cat <<'JS'
const env = process.env;
const rsName = env.INIT_REPLICA_SET;
const dbName = env.INIT_DB_NAME;
const rootUser = env.INIT_ROOT_USER;
const dataMembers = env.INIT_DATA_MEMBERS.split(',');
const arbiter = env.INIT_ARBITER;
const local = env.INIT_LOCAL;
const waitSeconds = Number(env.INIT_WAIT_SECONDS);

function log(message) {
  print('init-replica-set: ' + message);
}

// Polls `probe` once a second until it returns something truthy.
function waitFor(what, probe) {
  let lastError = null;
  for (let i = 0; i < waitSeconds; i++) {
    try {
      const value = probe();
      if (value) return value;
    } catch (e) {
      lastError = e;
    }
    sleep(1000);
  }
  throw new Error('gave up after ' + waitSeconds + ' s waiting for ' + what +
    (lastError ? ' (last error: ' + lastError.message + ')' : ''));
}

// A connection to one member, authenticated as root (throws if it cannot be).
function rootConnection(host) {
  const uri = 'mongodb://' + encodeURIComponent(rootUser) + ':' +
    encodeURIComponent(env.ROOT_PASSWORD) + '@' + host +
    '/admin?directConnection=true&authSource=admin';
  const conn = new Mongo(uri);
  const status = conn.getDB('admin').runCommand({ connectionStatus: 1 });
  if (status.authInfo.authenticatedUsers.length === 0) {
    throw new Error('not authenticated as ' + rootUser);
  }
  return conn;
}

// 1. Initiate a one-member set (hello needs no authentication).
const hello = db.adminCommand({ hello: 1 });
if (!hello.setName) {
  log('initiating replica set ' + rsName + ' with ' + dataMembers[0]);
  db.adminCommand({
    replSetInitiate: { _id: rsName, members: [{ _id: 0, host: dataMembers[0] }] },
  });
} else if (hello.setName !== rsName) {
  throw new Error('this mongod belongs to replica set ' + hello.setName + ', not ' + rsName);
} else {
  log('replica set ' + rsName + ' is initiated already');
}

// 2. The root user: use it if it works, else create it through the
//    localhost exception (which needs this member to be primary).
let root;
try {
  root = rootConnection(local);
  log('root user ' + rootUser + ' exists');
} catch (e) {
  waitFor('this member to become primary', () => db.adminCommand({ hello: 1 }).isWritablePrimary);
  log('creating root user ' + rootUser + ' through the localhost exception');
  try {
    db.getSiblingDB('admin').createUser({
      user: rootUser,
      pwd: env.ROOT_PASSWORD,
      roles: [{ role: 'root', db: 'admin' }],
    });
  } catch (e2) {
    throw new Error('cannot create the root user (' + e2.message + '); if users exist ' +
      'already, ROOT_PASSWORD must be the password of ' + rootUser + ' (first error: ' + e.message + ')');
  }
  root = rootConnection(local);
}

// 3. Everything else happens on the primary, wherever it is now.
const primary = waitFor('a primary', () => {
  const h = root.getDB('admin').runCommand({ hello: 1 });
  if (h.isWritablePrimary) return root;
  if (h.primary) return rootConnection(h.primary);
  return null;
});
const admin = primary.getDB('admin');

function upsertUser(name, password, roles) {
  if (admin.getUser(name)) {
    admin.updateUser(name, { pwd: password, roles: roles });
    log('updated user ' + name);
  } else {
    admin.createUser({ user: name, pwd: password, roles: roles });
    log('created user ' + name);
  }
}
upsertUser('reservations', env.RESERVATIONS_PASSWORD, [
  { role: 'readWrite', db: dbName },
  { role: 'clusterMonitor', db: 'admin' },
]);
upsertUser('operator', env.OPERATOR_PASSWORD, [
  { role: 'clusterManager', db: 'admin' },
  { role: 'clusterMonitor', db: 'admin' },
  { role: 'read', db: dbName },
]);

// 4. Members, one reconfiguration at a time (MongoDB adds at most one voting
//    member per reconfig and refuses a new one until the last is committed,
//    hence the retries).
function addMember(host, arbiterOnly) {
  const what = (arbiterOnly ? 'arbiter ' : 'member ') + host;
  waitFor(what + ' to be added', () => {
    const config = admin.runCommand({ replSetGetConfig: 1 }).config;
    if (config.members.some((m) => m.host === host)) {
      log(what + ' is in the set');
      return true;
    }
    const member = { _id: Math.max(...config.members.map((m) => m._id)) + 1, host: host };
    if (arbiterOnly) member.arbiterOnly = true;
    config.members.push(member);
    config.version += 1;
    admin.runCommand({ replSetReconfig: config });
    log('added ' + what);
    return true;
  });
}
for (const host of dataMembers.slice(1)) addMember(host, false);
if (arbiter) {
  // MongoDB 5.0+ refuses to add an arbiter to a primary-secondary set
  // unless a cluster-wide default write concern is set, because the arbiter
  // changes the implicit default (to w:1 for primary-secondary-arbiter).
  // Setting w:1 explicitly keeps that default; the API asks for w:majority
  // on every write itself.
  admin.runCommand({ setDefaultRWConcern: 1, defaultWriteConcern: { w: 1 } });
  log('cluster-wide default write concern set to w:1');
  addMember(arbiter, true);
}

// 5. Report; a member still starting up is not an error.
try {
  waitFor('every member to be PRIMARY, SECONDARY or ARBITER', () =>
    admin.runCommand({ replSetGetStatus: 1 }).members.every((m) =>
      ['PRIMARY', 'SECONDARY', 'ARBITER'].includes(m.stateStr)));
} catch (e) {
  log('warning: ' + e.message);
}
for (const m of admin.runCommand({ replSetGetStatus: 1 }).members) {
  log('  ' + m.name + ' ' + m.stateStr);
}
log('done');
JS
)"

members_csv="$(
  IFS=,
  echo "${data_members[*]}"
)"

INIT_REPLICA_SET="$REPLICA_SET" \
  INIT_DB_NAME="$DB_NAME" \
  INIT_ROOT_USER="$ROOT_USER" \
  INIT_DATA_MEMBERS="$members_csv" \
  INIT_ARBITER="$arbiter" \
  INIT_LOCAL="127.0.0.1:${first_port}" \
  INIT_WAIT_SECONDS="$WAIT_SECONDS" \
  "$MONGOSH" --quiet --norc "$local_uri" --eval "$script"
