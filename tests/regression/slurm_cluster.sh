#!/usr/bin/env bash
# A private single-node Slurm cluster for the sweep tests: its own munge key and socket, its
# own slurm.conf (this host's real name, CPUs and memory), slurmctld and slurmd started
# directly (CI has no systemd). Everything lives under STATE, so nothing of a system-wide
# Slurm or munge is touched.
#   slurm_cluster.sh start STATE   # prints SLURM_CONF=STATE/slurm.conf when the node is idle
#   slurm_cluster.sh stop STATE    # cancels jobs, stops the daemons it started
# Needs root (slurmd runs jobs as their user) and Debian's slurm-wlm + munge (setup.sh).
set -euo pipefail
cmd=${1:?start|stop} state=${2:?state dir}
conf=$state/slurm.conf

stop() {
  [ -f "$conf" ] && SLURM_CONF=$conf scancel --quiet --full -u root 2>/dev/null || true
  for d in slurmd slurmctld munged; do
    pidf=$state/$d.pid
    [ -f "$pidf" ] || continue
    pid=$(cat "$pidf")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidf"
  done
}

if [ "$cmd" = stop ]; then stop; exit 0; fi
[ "$cmd" = start ] || { echo "usage: $0 start|stop STATE" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "slurm_cluster: must run as root" >&2; exit 1; }
for b in munged slurmctld slurmd sbatch sinfo; do
  command -v "$b" >/dev/null || { echo "slurm_cluster: $b not found (scripts/setup.sh installs slurm-wlm and munge)" >&2; exit 1; }
done
trap 'rc=$?; [ $rc -eq 0 ] || { tail -n 20 "$state"/*.log >&2 2>/dev/null; stop; }' EXIT

mkdir -p "$state"/ctld "$state"/spool
chmod 700 "$state"
# munge: a fresh key, a private socket; --force because the test runs as root.
head -c 1024 /dev/urandom >"$state/munge.key"
chmod 400 "$state/munge.key"
munged --force --key-file="$state/munge.key" --socket="$state/munge.sock" \
  --pid-file="$state/munged.pid" --log-file="$state/munged.log" --seed-file="$state/munge.seed"

host=$(hostname -s)
cpus=$(nproc)
mem_mb=$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
port=${ANVIL_SLURM_PORT:-16817}
cat >"$conf" <<CONF
ClusterName=anvil-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$state/munge.sock
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
MpiDefault=none
SwitchType=switch/none
MailProg=/bin/true
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=anvil Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$conf
slurmctld -f "$conf"
slurmd -f "$conf"
for _ in $(seq 100); do
  st=$(sinfo -h -N -o %T 2>/dev/null || true)
  if [ "$st" = idle ]; then echo "SLURM_CONF=$conf"; exit 0; fi
  sleep 0.2
done
echo "slurm_cluster: node not idle after 20 s (state: '${st:-none}')" >&2
exit 1
