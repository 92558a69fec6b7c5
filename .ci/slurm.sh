#!/usr/bin/env bash
# A one-node Slurm on this machine, from Debian's packages, to test the workflow's cluster path for real
# (profiles/slurm, tests/test_slurm.py, benchmarks/slurm.py).  Debian 12 as root, no systemd needed:
#
#   bash .ci/slurm.sh start               # install if missing (~25 s), configure, start munged, slurmctld, slurmd
#   bash .ci/slurm.sh start --accounting  # also MariaDB + slurmdbd, an account `slothpipe` for root
#   bash .ci/slurm.sh stop                # stop every daemon this script started (by its pid file)
#   bash .ci/slurm.sh status
#
# SLURMD_NICE=10 bash .ci/slurm.sh start runs slurmd, and so every job (Slurm's PropagatePrioProcess=0), at
# that nice value: on a machine shared with other work, as `nice -n 10` does for a local run.
# The node declares this machine's CPUs and memory; select/cons_tres with CR_Core_Memory makes the scheduler
# allocate memory like cores, so a job asking for more memory or cores than the node has stays pending
# (and sbatch rejects it outright).  MinJobAge stays at Slurm's 300 s: without accounting, `squeue` is the only
# status query and finished jobs must stay visible to it for a while.  The partition is `main`.
# Everything the script writes lives in /etc/slurm, /etc/munge, /run/{munge,slurm}, /var/lib/slurm,
# /var/log/slurm (and MariaDB's own directories); `stop` leaves the configuration in place.
set -euo pipefail

RUN=/run/slurm
LOG=/var/log/slurm
STATE=/var/lib/slurm
PARTITION=main

die() {
    echo ".ci/slurm.sh: $*" >&2
    exit 1
}

install_packages() {
    local pkgs=(slurmctld slurmd slurm-client munge)
    [[ "$1" == yes ]] && pkgs+=(slurmdbd mariadb-server)
    local missing=()
    for p in "${pkgs[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    ((${#missing[@]} == 0)) && return
    command -v apt-get >/dev/null || die "apt-get not found: this script installs Debian's packages"
    echo "installing ${missing[*]}"
    # an update only when the package lists have never been fetched (they are older than the machine otherwise)
    compgen -G "/var/lib/apt/lists/*Packages*" >/dev/null || apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_for() { # wait_for SECONDS WHAT COMMAND...
    local limit=$1 what=$2
    shift 2
    for _ in $(seq $((limit * 5))); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    die "$what did not come up within ${limit} s (logs in $LOG)"
}

write_config() {
    local accounting=$1 host cpus mem
    host=$(hostname -s)
    cpus=$(nproc)
    # what the node offers jobs: its memory less 1 GB for the system and the daemons
    mem=$(($(awk '/^MemTotal/ {print int($2 / 1024)}' /proc/meminfo) - 1024))
    mkdir -p /etc/slurm "$RUN" "$LOG" "$STATE/slurmctld" "$STATE/slurmd"
    chown slurm:slurm "$RUN" "$LOG" "$STATE/slurmctld"
    cat >/etc/slurm/slurm.conf <<EOF
# written by slothpipe's .ci/slurm.sh: a one-node test cluster
ClusterName=slothpipe
SlurmctldHost=$host(127.0.0.1)
SlurmUser=slurm
AuthType=auth/munge
StateSaveLocation=$STATE/slurmctld
SlurmdSpoolDir=$STATE/slurmd
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
SlurmctldLogFile=$LOG/slurmctld.log
SlurmdLogFile=$LOG/slurmd.log
# no systemd and no cgroup delegation here: processes are tracked through /proc
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# a job that asks for no memory gets 1 GB per core, not the whole node
DefMemPerCPU=1000
ReturnToService=2
MinJobAge=300
SlurmctldTimeout=30
SlurmdTimeout=30
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/linux
EOF
    if [[ "$accounting" == yes ]]; then
        cat >>/etc/slurm/slurm.conf <<EOF
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStorageEnforce=associations,limits
EOF
        cat >/etc/slurm/slurmdbd.conf <<EOF
AuthType=auth/munge
DbdHost=$host
DbdAddr=127.0.0.1
SlurmUser=slurm
PidFile=$RUN/slurmdbd.pid
LogFile=$LOG/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StoragePass=slurm
StorageLoc=slurm_acct_db
EOF
        chown slurm:slurm /etc/slurm/slurmdbd.conf
        chmod 600 /etc/slurm/slurmdbd.conf
    else
        echo "AccountingStorageType=accounting_storage/none" >>/etc/slurm/slurm.conf
    fi
    cat >>/etc/slurm/slurm.conf <<EOF
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=$PARTITION Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

start_munge() {
    alive "$RUN/munged.pid" && return
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge
    if [[ ! -s /etc/munge/munge.key ]]; then
        dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
        chown munge:munge /etc/munge/munge.key
        chmod 400 /etc/munge/munge.key
    fi
    runuser -u munge -- /usr/sbin/munged
    cp /run/munge/munged.pid "$RUN/munged.pid" 2>/dev/null || pgrep -u munge -x munged >"$RUN/munged.pid"
    wait_for 10 munged munge -n
}

start_accounting() {
    if ! mysqladmin ping >/dev/null 2>&1; then
        mkdir -p /run/mysqld
        chown mysql:mysql /run/mysqld
        runuser -u mysql -- /usr/sbin/mariadbd --pid-file=/run/mysqld/mysqld.pid >"$LOG/mariadb.log" 2>&1 &
        wait_for 60 MariaDB mysqladmin ping
    fi
    mysql -e "CREATE DATABASE IF NOT EXISTS slurm_acct_db;
              CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY 'slurm';
              GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';"
    alive "$RUN/slurmdbd.pid" || /usr/sbin/slurmdbd
    wait_for 30 slurmdbd sacctmgr -n list cluster
}

register_accounts() {
    sacctmgr -i -Q add cluster slothpipe >/dev/null 2>&1 || true
    sacctmgr -i -Q add account slothpipe cluster=slothpipe >/dev/null 2>&1 || true
    sacctmgr -i -Q add user root account=slothpipe cluster=slothpipe >/dev/null 2>&1 || true
}

node_idle() { [[ "$(sinfo -h -n "$(hostname -s)" -o %t)" == idle ]]; }

start() {
    local accounting=no
    [[ "${1:-}" == --accounting ]] && accounting=yes
    [[ $EUID -eq 0 ]] || die "run as root (installs packages and starts daemons)"
    install_packages "$accounting"
    write_config "$accounting"
    start_munge
    if [[ "$accounting" == yes ]]; then
        start_accounting
        register_accounts
    fi
    # -c: start clean (no jobs or node states left from an earlier run of this script)
    alive "$RUN/slurmctld.pid" || /usr/sbin/slurmctld -c
    wait_for 30 slurmctld scontrol ping
    [[ "$accounting" == yes ]] && register_accounts
    alive "$RUN/slurmd.pid" || nice -n "${SLURMD_NICE:-0}" /usr/sbin/slurmd
    wait_for 30 "the node" node_idle
    echo "Slurm $(sinfo -V | awk '{print $2}') up: partition $PARTITION, node $(hostname -s)" \
        "($(nproc) CPUs, $(scontrol show node "$(hostname -s)" | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p') MB)," \
        "accounting $([[ "$accounting" == yes ]] && echo on || echo off)"
}

stop_pidfile() { # stop_pidfile NAME PIDFILE
    if alive "$2"; then
        local pid
        pid=$(cat "$2")
        kill "$pid"
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
        echo "stopped $1"
    fi
    rm -f "$2"
}

stop() {
    [[ $EUID -eq 0 ]] || die "run as root"
    stop_pidfile slurmd "$RUN/slurmd.pid"
    stop_pidfile slurmctld "$RUN/slurmctld.pid"
    stop_pidfile slurmdbd "$RUN/slurmdbd.pid"
    stop_pidfile mariadb /run/mysqld/mysqld.pid
    stop_pidfile munged "$RUN/munged.pid"
}

status() {
    for d in munged slurmctld slurmd slurmdbd; do
        if alive "$RUN/$d.pid"; then echo "$d: running (pid $(cat "$RUN/$d.pid"))"; else echo "$d: stopped"; fi
    done
    command -v sinfo >/dev/null && alive "$RUN/slurmctld.pid" && sinfo
    return 0
}

case "${1:-}" in
start) start "${2:-}" ;;
stop) stop ;;
status) status ;;
*) die "usage: $0 start [--accounting] | stop | status" ;;
esac
