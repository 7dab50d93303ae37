#!/bin/sh
# A demo queue consumer for etc/tend.ini: takes a "job" every second and,
# on SIGTERM, finishes the job in hand before exiting (drain). With
# DEMO_CRASH_AFTER=N it crashes after N jobs, to show restarts and backoff.
name="${TEND_PROGRAM:-demo}:${TEND_INSTANCE:-0}"
stop=0
trap 'stop=1; echo "$name: TERM received, finishing the job in hand"' TERM
jobs=0
while [ "$stop" = 0 ]; do
	jobs=$((jobs + 1))
	echo "$name: working on job $jobs"
	sleep 1 &
	wait $! 2>/dev/null || wait $! 2>/dev/null
	if [ -n "$DEMO_CRASH_AFTER" ] && [ "$jobs" -ge "$DEMO_CRASH_AFTER" ]; then
		echo "$name: crashing after $jobs jobs"
		exit 3
	fi
done
echo "$name: drained after $jobs jobs, exiting"
exit 0
