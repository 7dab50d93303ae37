#!/bin/sh
# contrib/queue-producer.sh: the producer of the demo queue in etc/tend.ini.
# The queue is a spool directory, $QUEUE_DIR: a job is written to tmp/, then
# renamed into new/ (atomic), where the consumers (queue-consumer.sh) claim
# it. One job every 0.4 s, a bit more than three consumers take; none from
# when 20 are waiting until fewer than 10 are. Job numbers go on from the
# last run, and jobs left in new/ wait for the next run.
name="$TEND_PROGRAM:$TEND_INSTANCE"
q="${QUEUE_DIR:?QUEUE_DIR is not set}"
mkdir -p "$q/tmp" "$q/work" "$q/done" "$q/new" || exit 1

stop=0
trap 'stop=1' TERM

waiting() {	# how many jobs are in new/
	set -- "$q"/new/job-*
	[ -e "$1" ] && echo $# || echo 0
}

n=$(cat "$q/seq" 2>/dev/null)
case $n in ""|*[!0-9]*) n=0 ;; esac
echo "$name: queue $q ($(waiting) waiting)"
full=0
while [ "$stop" = 0 ]; do
	w=$(waiting)
	if [ "$full" = 0 ] && [ "$w" -ge 20 ]; then
		echo "$name: 20 jobs waiting: pausing until fewer than 10"
		full=1
	elif [ "$full" = 1 ] && [ "$w" -lt 10 ]; then
		echo "$name: $w jobs waiting: resuming"
		full=0
	fi
	if [ "$full" = 0 ]; then
		n=$((n + 1))
		echo "$n" >"$q/seq"
		job=$(printf 'job-%06d' "$n")	# zero-padded: new/ sorts in order
		echo "job $n" >"$q/tmp/$job" && mv "$q/tmp/$job" "$q/new/$job"
		echo "$name: job $n queued"
	fi
	sleep 0.4 &
	wait $!
done
echo "$name: stopped, $(waiting) jobs left in the queue for the next run"
exit 0
