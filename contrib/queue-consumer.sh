#!/bin/sh
# contrib/queue-consumer.sh: a consumer of the demo queue in etc/tend.ini
# (see queue-producer.sh). It claims the oldest job in $QUEUE_DIR/new/ by
# renaming it into work/ under its own name (rename is atomic: if it fails,
# another consumer took the job), "processes" it for 1 to 2 s, then moves it
# to done/; every fifth job is a long one (6 s). On SIGTERM it finishes the
# job in hand, starts no other, and exits 0. With QUEUE_CRASH_AFTER=N it
# crashes (exit 3) after N jobs, to show restarts with backoff.
#
# It speaks tend's worker protocol with systemd-notify: READY=1 once it is
# ready, QUEUE_DEPTH (jobs waiting) and INFLIGHT (jobs in hand) as it works,
# STATUS, and while it drains a long job after SIGTERM, EXTEND_TIMEOUT_USEC
# every second, so tend waits past stop_timeout (up to stop_timeout_max).
name="$TEND_PROGRAM:$TEND_INSTANCE"
q="${QUEUE_DIR:?QUEUE_DIR is not set}"
mine="$q/work/$name"	# work/NAME:INDEX.job-000017: the job in hand

stop=0 job="" jobs=0

notify() {	# notify KEY=VALUE...: to tend, if there is a NOTIFY_SOCKET
	[ -n "$NOTIFY_SOCKET" ] && command -v systemd-notify >/dev/null &&
	    systemd-notify "$@" 2>/dev/null
	return 0
}
trap 'stop=1; [ -n "$job" ] && echo "$name: TERM: finishing job $job before exit"' TERM

for f in "$mine".job-*; do	# left in hand by a run that was killed
	[ -e "$f" ] && mv "$f" "$q/new/${f##*.}" &&
	    echo "$name: ${f##*.} was left unfinished: back in the queue"
done

notify --ready "STATUS=waiting for jobs"

claim() {	# claim the oldest job in new/; sets $f to its name
	for f in "$q"/new/job-*; do
		[ -e "$f" ] || return 1
		mv "$f" "$mine.${f##*/}" 2>/dev/null && f=${f##*/} && return 0
	done
	return 1
}

pause() {	# pause SECONDS: sleep in the background, so TERM is seen now
	sleep "$1" &
	pid=$!
	# A signal interrupts wait; wait again until sleep is really done.
	while ! wait "$pid" 2>/dev/null; do
		kill -0 "$pid" 2>/dev/null || break
	done
}

work() {	# work SECONDS: the job, a second at a time; asks for more
	left=$1	# time while draining, so the job is not killed
	while [ "$left" -gt 0 ]; do
		[ "$stop" = 1 ] && notify EXTEND_TIMEOUT_USEC=3000000 \
		    "STATUS=draining: job $job, ${left}s left"
		pause 1
		left=$((left - 1))
	done
}

waiting() {	# the number of jobs in new/
	set -- "$q"/new/job-*
	[ -e "$1" ] || set --
	echo $#
}

while [ "$stop" = 0 ]; do
	if ! claim; then
		sleep 0.2 &	# queue empty: look again soon
		wait $!
		continue
	fi
	if [ "$stop" = 1 ]; then	# TERM came while claiming: put it back
		mv "$mine.$f" "$q/new/$f"
		break
	fi
	job=${f#job-}
	job=${job#"${job%%[!0]*}"}	# 000017 -> 17
	notify INFLIGHT=1 "QUEUE_DEPTH=$(waiting)" "STATUS=job $job"
	if [ $((job % 5)) = 0 ]; then
		echo "$name: job $job is a long one (6 s)"
		work 6
	else
		case $((job % 3)) in 0) s=1 ;; 1) s=1.5 ;; *) s=2 ;; esac
		pause "$s"	# 1 to 2 s of "work"
	fi
	mv "$mine.$f" "$q/done/$f"
	jobs=$((jobs + 1)) done_job=$job job=""
	n=$(waiting)
	notify INFLIGHT=0 "QUEUE_DEPTH=$n" "STATUS=$jobs jobs done"
	echo "$name: job $done_job done ($n in queue)"
	if [ -n "$QUEUE_CRASH_AFTER" ] && [ "$jobs" -ge "$QUEUE_CRASH_AFTER" ] &&
	    [ "$stop" = 0 ]; then
		echo "$name: crashing (exit 3) after $jobs jobs"
		exit 3
	fi
done
echo "$name: stopped after $jobs jobs"
exit 0
