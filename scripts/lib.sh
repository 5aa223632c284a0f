# Shared helpers of the scripts: where things live and how a background
# service is started, waited for and stopped. Sourced, not run.
# shellcheck shell=bash

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
run_dir="${repo_root}/.run"
bin_dir="${run_dir}/bin"
pid_dir="${run_dir}/pids"
log_dir="${run_dir}/log"

say() { printf '%s\n' "$*" >&2; }
die() {
	say "error: $*"
	exit 1
}

# build compiles the named services into .run/bin.
build() {
	mkdir -p "${bin_dir}"
	local svc
	for svc in "$@"; do
		(cd "${repo_root}/services/${svc}" && go build -o "${bin_dir}/${svc}" .) || die "build ${svc}"
	done
}

# running PID: the process exists and is not a zombie waiting to be reaped
# (kill -0 succeeds on a zombie).
running() {
	local state
	state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[[ -n ${state} && ${state} != Z* ]]
}

alive() {
	local pid_file="${pid_dir}/$1.pid"
	[[ -f ${pid_file} ]] && running "$(cat "${pid_file}")"
}

# start_service NAME BINARY [VAR=value...]: runs .run/bin/BINARY in the
# background with the given environment, unless NAME already runs.
start_service() {
	local name=$1 binary=$2
	shift 2
	mkdir -p "${pid_dir}" "${log_dir}"
	if alive "${name}"; then
		say "${name}: already running (pid $(cat "${pid_dir}/${name}.pid"))"
		return 0
	fi
	(cd "${repo_root}" && exec env "$@" setsid "${bin_dir}/${binary}" >>"${log_dir}/${name}.log" 2>&1 </dev/null) &
	echo $! >"${pid_dir}/${name}.pid"
	sleep 0.3
	alive "${name}" || die "${name} exited at start; see ${log_dir}/${name}.log:$(printf '\n')$(tail -n 20 "${log_dir}/${name}.log")"
	say "${name}: started (pid $!, log .run/log/${name}.log)"
}

# stop_service NAME: SIGTERM, then waits up to 60 s for a graceful exit
# (the broker writes its topic list and the materializers commit on the way
# out), and only then SIGKILL.
stop_service() {
	local name=$1 pid_file="${pid_dir}/$1.pid"
	if ! alive "${name}"; then
		rm -f "${pid_file}"
		return 0
	fi
	local pid
	pid=$(cat "${pid_file}")
	kill -TERM "${pid}"
	for _ in $(seq 1 600); do
		running "${pid}" || break
		sleep 0.1
	done
	if running "${pid}"; then
		say "${name}: still running after 60 s, killing"
		kill -KILL "${pid}"
	fi
	rm -f "${pid_file}"
	say "${name}: stopped"
}

# wait_port HOST:PORT [SECONDS]: until something accepts connections there.
wait_port() {
	local hostport=$1 timeout=${2:-30}
	for _ in $(seq 1 $((timeout * 10))); do
		if (exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	die "nothing listens on ${hostport} after ${timeout} s"
}

# as_root runs a command as root: directly when this is root (the dev boxes
# and CI), through sudo otherwise.
as_root() {
	if [[ ${EUID} -eq 0 ]]; then
		"$@"
	else
		sudo "$@"
	fi
}

# apt_install PACKAGE...: installs Debian packages without letting their
# postinst start the system-wide services. A package's postinst starts its
# service (ClickHouse on port 9000, ZooKeeper on 2181) unless policy-rc.d
# forbids it, as it does in containers. Such a service would take a port the
# scripts use, and stopping it afterwards is no option: ClickHouse's init
# script's stop kills every clickhouse-server process on the machine, other
# checkouts' included. So where no policy exists, one that forbids service
# starts stands in for the length of the install.
apt_install() {
	local policy=/usr/sbin/policy-rc.d
	if [[ ! -e ${policy} ]]; then
		as_root sh -c "printf '#!/bin/sh\nexit 101\n' >${policy} && chmod 755 ${policy}"
		# shellcheck disable=SC2064 # expand now: the path is fixed
		trap "as_root rm -f ${policy}" EXIT
	fi
	export DEBIAN_FRONTEND=noninteractive
	# A stale package list is the usual reason for a failed install; the
	# update is slow, so it only runs when the install needs it.
	if ! as_root apt-get install -y "$@"; then
		say "install failed; updating the package lists and trying again"
		as_root apt-get update
		as_root apt-get install -y "$@"
	fi
}

sha256() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

# sed_escape makes a string safe as the replacement of an s|...|...| command.
sed_escape() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }

# render_template SRC DST [NAME=value...]: writes SRC to DST with every
# {{NAME}} replaced by its value, and fails on a placeholder left over.
render_template() {
	local src=$1 dst=$2 kv
	shift 2
	[[ -r ${src} ]] || die "missing template ${src#"${repo_root}/"}"
	local exprs=(-e '')
	for kv in "$@"; do
		exprs+=(-e "s|{{${kv%%=*}}}|$(sed_escape "${kv#*=}")|g")
	done
	# Write then rename, so a server reading its config never sees half a file.
	sed "${exprs[@]}" "${src}" >"${dst}.tmp"
	if grep -q '{{[A-Z_0-9]*}}' "${dst}.tmp"; then
		die "unrendered placeholder in ${dst#"${repo_root}/"}: $(grep -o '{{[A-Z_0-9]*}}' "${dst}.tmp" | sort -u | tr '\n' ' ')"
	fi
	mv -f "${dst}.tmp" "${dst}"
}

# port_taken PORT succeeds when something accepts connections on the port.
port_taken() {
	timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

port_holder() {
	command -v ss >/dev/null || return 0
	ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:.*' | head -n 1 || true
}

check_port() {
	local name=$1 port=$2
	if ! [[ ${port} =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
		die "${name}=${port} is not a port number"
	fi
}
