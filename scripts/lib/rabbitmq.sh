# shellcheck shell=bash
# A private RabbitMQ broker for tests, started directly from Debian's rabbitmq-server (no
# systemd, not the system's node):
#   rabbitmq_start DIR PORT   node irra-PORT@localhost with its data, logs, configuration and
#                             PID file under DIR; AMQP on 127.0.0.1:PORT, Erlang distribution
#                             on 127.0.0.1:PORT+1 and its own epmd on 127.0.0.1:PORT+2 (three
#                             ports in a row); user guest/guest, allowed from loopback only.
#                             Returns once the broker answers the AMQP handshake.
#   rabbitmq_stop DIR         SIGTERM to the broker's PID (bounded wait), then its epmd
# Run as root, the broker runs as the rabbitmq user (DIR is given to it), as Debian's own
# wrapper script does. Both are idempotent, quiet on success, and say what went wrong on
# failure (return 1). Source this file; it sets no shell options of its own.

_rabbitmq_fail() {
  echo "rabbitmq: $*" >&2
  return 1
}

# The PID in FILE when that process is alive and named NAME, else nothing (status 1).
_rabbitmq_pid_of() {
  local file="$1" name="$2" pid
  [[ -s "$file" ]] || return 1
  pid=$(<"$file")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$name"* ]] || return 1
  echo "$pid"
}

# True when 127.0.0.1:PORT answers the AMQP 0-9-1 protocol header with a frame.
_rabbitmq_answers() {
  local port="$1" first
  first=$(timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port || exit 1
    printf 'AMQP\\x00\\x00\\x09\\x01' >&3
    head -c 1 <&3 | od -An -tx1" 2>/dev/null) || return 1
  [[ "${first// /}" == "01" ]]  # a method frame: connection.start
}

# Runs "$@" in a session of its own (it must not die with the caller's process group),
# writing its PID to FILE first; as the rabbitmq user when root, as Debian's wrapper does.
_rabbitmq_spawn() {
  local pidfile="$1"
  shift
  local as_owner=()
  [[ $(id -u) -eq 0 ]] && as_owner=(setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups --)
  # shellcheck disable=SC2016 # $$ and $0 belong to the inner shell
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "${as_owner[@]}" "$@" </dev/null &
}

_rabbitmq_log_tail() {
  local f
  for f in "$1/log/startup.log" "$1/log/irra-$2.log"; do
    if [[ -s "$f" ]]; then
      echo "--- last lines of $f ---" >&2
      tail -n 15 "$f" >&2
    fi
  done
}

rabbitmq_start() {
  local dir="${1:-}" port="${2:-}"
  [[ -n "$dir" && "$port" =~ ^[0-9]+$ ]] || _rabbitmq_fail "usage: rabbitmq_start DIR PORT" || return 1
  command -v /usr/lib/rabbitmq/bin/rabbitmq-server >/dev/null ||
    _rabbitmq_fail "rabbitmq-server is not installed (apt-get install rabbitmq-server)" || return 1
  mkdir -p "$dir/log" "$dir/mnesia" || _rabbitmq_fail "cannot create $dir" || return 1
  dir=$(cd "$dir" && pwd)
  local dist_port=$((port + 1)) epmd_port=$((port + 2)) node="irra-$port@localhost"

  if _rabbitmq_pid_of "$dir/rabbitmq.pid" beam >/dev/null; then
    _rabbitmq_answers "$port" && return 0
  fi

  cat >"$dir/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$port
loopback_users.guest = true
disk_free_limit.absolute = 50MB
log.console = false
log.file.level = info
EOF
  # The distribution listener on loopback too (the AMQP listener is set above).
  echo '[{kernel, [{inet_dist_use_interface, {127,0,0,1}}]}].' >"$dir/advanced.config"
  echo '[].' >"$dir/enabled_plugins"
  : >"$dir/rabbitmq-env.conf"
  if [[ $(id -u) -eq 0 ]]; then
    chown -R rabbitmq:rabbitmq "$dir" || _rabbitmq_fail "cannot give $dir to the rabbitmq user" || return 1
  fi

  # Its own epmd, so that stopping it stops nothing else.
  if ! _rabbitmq_pid_of "$dir/epmd.pid" epmd >/dev/null; then
    (cd "$dir" && export ERL_EPMD_ADDRESS=127.0.0.1 && _rabbitmq_spawn "$dir/epmd.pid" \
      epmd -port "$epmd_port" >"$dir/log/epmd.log" 2>&1)
  fi

  rm -f "$dir/rabbitmq.pid"
  (
    cd "$dir" || exit 1
    export HOME="$dir" \
      RABBITMQ_NODENAME="$node" \
      RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
      RABBITMQ_NODE_PORT="$port" \
      RABBITMQ_DIST_PORT="$dist_port" \
      ERL_EPMD_PORT="$epmd_port" \
      ERL_EPMD_ADDRESS=127.0.0.1 \
      RABBITMQ_MNESIA_BASE="$dir/mnesia" \
      RABBITMQ_LOG_BASE="$dir/log" \
      RABBITMQ_PID_FILE="$dir/rabbitmq.pid" \
      RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" \
      RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config" \
      RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
      RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
    _rabbitmq_spawn "$dir/launcher.pid" /usr/lib/rabbitmq/bin/rabbitmq-server \
      >"$dir/log/startup.log" 2>&1
  )
  local waited=0
  until _rabbitmq_answers "$port"; do
    if ((waited >= 1200)); then
      _rabbitmq_log_tail "$dir" "$port"
      _rabbitmq_fail "broker in $dir did not answer on 127.0.0.1:$port within 120 s"
      return 1
    fi
    # The launcher (Debian's rabbitmq-server script) lives as long as the broker does.
    if ((waited >= 30)) && ! _rabbitmq_pid_of "$dir/launcher.pid" rabbitmq >/dev/null; then
      _rabbitmq_log_tail "$dir" "$port"
      _rabbitmq_fail "broker in $dir exited during start-up (ports $port-$epmd_port in use?)"
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

# Sends SIGTERM to the PID in FILE (when it is NAME) and waits up to 60 s.
_rabbitmq_stop_pid() {
  local file="$1" name="$2" pid waited=0
  pid=$(_rabbitmq_pid_of "$file" "$name") || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= 600)); then
      kill -KILL "$pid" 2>/dev/null || true
      _rabbitmq_fail "$name $pid ignored SIGTERM for 60 s; killed it"
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

rabbitmq_stop() {
  local dir="${1:-}" rc=0
  [[ -n "$dir" ]] || _rabbitmq_fail "usage: rabbitmq_stop DIR" || return 1
  [[ -d "$dir" ]] || return 0
  _rabbitmq_stop_pid "$dir/rabbitmq.pid" beam || rc=1
  _rabbitmq_stop_pid "$dir/launcher.pid" rabbitmq || rc=1  # had it not written its PID yet
  _rabbitmq_stop_pid "$dir/epmd.pid" epmd || rc=1
  return $rc
}
