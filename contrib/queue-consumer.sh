#!/bin/sh
# contrib/queue-consumer.sh: a consumer of the demo queue in etc/tend.ini
# (see queue-producer.sh). It claims the oldest job in $QUEUE_DIR/new/ by
# renaming it into work/ under its own name (rename is atomic: if it fails,
# another consumer took the job), "processes" it for 1 to 2 s, then moves it
# to done/. On SIGTERM it finishes the job in hand, starts no other, and
# exits 0. With QUEUE_CRASH_AFTER=N it crashes (exit 3) after N jobs, to
# show restarts with backoff.
name="$TEND_PROGRAM:$TEND_INSTANCE"
q="${QUEUE_DIR:?QUEUE_DIR is not set}"
mine="$q/work/$name"	# work/NAME:INDEX.job-000017: the job in hand

stop=0 job="" jobs=0
trap 'stop=1; [ -n "$job" ] && echo "$name: TERM: finishing job $job before exit"' TERM

for f in "$mine".job-*; do	# left in hand by a run that was killed
	[ -e "$f" ] && mv "$f" "$q/new/${f##*.}" &&
	    echo "$name: ${f##*.} was left unfinished: back in the queue"
done

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
	case $((job % 3)) in 0) s=1 ;; 1) s=1.5 ;; *) s=2 ;; esac
	pause "$s"	# 1 to 2 s of "work"
	mv "$mine.$f" "$q/done/$f"
	jobs=$((jobs + 1)) done_job=$job job=""
	set -- "$q"/new/job-*
	[ -e "$1" ] || set --
	echo "$name: job $done_job done ($# in queue)"
	if [ -n "$QUEUE_CRASH_AFTER" ] && [ "$jobs" -ge "$QUEUE_CRASH_AFTER" ] &&
	    [ "$stop" = 0 ]; then
		echo "$name: crashing (exit 3) after $jobs jobs"
		exit 3
	fi
done
echo "$name: stopped after $jobs jobs"
exit 0
