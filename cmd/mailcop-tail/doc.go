// Mailcop-tail writes the lines of the mail logs as JSON records, one per
// line, for mailcop-parse: once, or following the logs as they are
// written (-f), through every kind of log rotation, with their rotated
// history (-a), or from where the previous run stopped (-state, for cron).
//
// Usage:
//
//	mailcop-tail [-f] [-a | -n n] [-state file] [file ...]
//	mailcop-tail -journal [-unit unit]... [-f] [-a | -n n] [-state file]
//	mailcop-tail -listen http://127.0.0.1:port/ | -listen unix:path
//
// It reads the files named, in order ("-" is standard input), or else
// those of the system's mail logs that exist: /var/log/mail.log (Debian,
// Ubuntu), /var/log/maillog (RHEL and its kin), /var/log/dovecot.log
// (dovecot's log_path) and /var/log/mail/mail.log (docker-mailserver).
// When none exists it says so, and suggests -journal.
//
// Each line becomes {"file":...,"line":...}: "file" is the name of the
// file read, as given (or as found beside it: mail.log.2.gz), and absent
// for standard input. A line longer than 1 MiB (1048576 bytes, what
// mailcop-parse takes) is skipped with a warning naming its file and line
// (mail.log:3: line of 3000000 bytes, longer than 1048576: skipped), and
// memory stays bounded however long it is. A line with bytes that
// are not UTF-8 cannot travel as they are in a JSON string: its "line" has
// U+FFFD in their place, and "line_b64" holds the exact bytes in standard
// base64, so nothing is lost. Empty lines are skipped. The output is
// flushed whenever no more input is at hand, so that each line leaves as
// soon as it was written, and in big writes when reading in bulk.
//
//	$ mailcop-tail - <<'EOF'
//	Nov 25 06:25:01 mx1 dovecot: auth: sql(info@example.com,203.0.113.5,<AbCdEf012345>): Password mismatch
//	EOF
//	{"line":"Nov 25 06:25:01 mx1 dovecot: auth: sql(info@example.com,203.0.113.5,<AbCdEf012345>): Password mismatch"}
//
// The flags:
//
//	-f           follow: go on reading as lines are written, and wait for
//	             a file that does not exist yet (or whose directory does
//	             not); only complete lines are written out
//	-a           first read the rotated files of each log, oldest first:
//	             file.N (highest N first), then file-DATE (logrotate's
//	             dateext), each maybe compressed (.gz, .zst, .bz2); the
//	             journal is read whole anyway
//	-n n         start at the last n lines of each file instead of its
//	             start (with -journal: the last n entries)
//	-state file  remember how far each log was read; the next run writes
//	             only what is new (see below)
//	-journal     read systemd's journal with journalctl -o json (and
//	             --follow with -f), for systems with no syslog file; its
//	             entries are written unchanged, as mailcop-parse reads them
//	-unit unit   with -journal, only the entries of this systemd unit
//	             (repeatable)
//	-listen addr receive dovecot's event exporter until SIGINT or SIGTERM
//	             (see below)
//
// # Dovecot's events
//
// -listen is the receiver dovecot's event exporter needs: each event it
// sends becomes a record as a log line does, {"file":addr,"line":event},
// written out at once, and mailcop-parse reads the events like any other
// line. With http://127.0.0.1:port/ it answers 2.3's http-post driver
// (each POST's body is an event; bodies over 1 MiB are refused); with
// unix:path it creates a socket of mode 0660 (an old socket there is
// replaced) for 2.4's unix driver, which connects and writes one event a
// line. The events are not authenticated, so the HTTP receiver listens on
// a loopback address only.
//
// # Following
//
// With -f no line is lost or written twice when logrotate renames the log
// and creates a new one, even while the program that logs still appends
// to the renamed file until it is told to reopen (rsyslog does, until
// logrotate's postrotate): the old file is read on, through its open
// descriptor, until it has been quiet for a second and the new one was
// written to. Lines come out in the order they were written. The same
// holds when the log is deleted and created again, and with copytruncate:
// a file is told by its device, inode and first bytes, so a truncation is
// seen even when the file grew back past where it was read, and what was
// not read yet before the truncation is read from logrotate's copy. A file
// created and rotated away again before it was looked at (two rotations
// in quick succession) is found among the rotated files and read in its
// place. Lines written in pieces come out whole. inotify says when to
// look; without it (NFS, no inotify instances left) the logs are looked
// at every 50 ms.
// A line written after the copy and before the truncation is lost to
// every reader of a copytruncate'd log; that is copytruncate's own gap.
//
// SIGINT and SIGTERM end the run with the output flushed and, with
// -state, the position saved; the exit status is then 0.
//
// # The state file
//
// -state keeps, for each log, the file being read (device, inode, the
// SHA-256 of its first 1024 bytes or fewer), the offset of the end of the
// last line written out and its line number; the journal's cursor too. The next run
// begins there, and first reads the rest of that file even when it was
// rotated away and compressed since (mail.log.1.gz, mail.log-20261126.gz,
// found by its first bytes), then the files rotated after it, then the
// new log: so cron runs together write every line once, as logcheck's
// logtail2 does without its gaps. A first run writes all of the live file
// (with -a, the history too). A last line without its newline is kept for
// the next run. The state is written to a new temporary file (O_EXCL),
// synced and renamed into place (mode 0600) only after the output was
// flushed; an flock on file.lock keeps two runs from sharing it, and the
// kernel lets go of it when its holder dies. It is saved every 2 seconds
// on the way, when it moved, and at the end: after kill -9, a restart
// writes again at most the lines written out since the last save, in
// practice those of the last 2 seconds, and loses none. Each write of the
// output holds whole records, so a kill between writes leaves no half
// record behind.
//
// A corrupt or empty state file is an error and is left as it is. Neither
// the state nor its lock is opened through a symbolic link, and a state
// in a directory every user may write to, without the sticky bit, is
// refused. A rotated file that cannot be read (its permissions, or a
// truncated or damaged compressed file: each is decompressed once to
// check it before any of its lines is written) stops its log there: the
// log keeps its position, and the run after the file is mended writes
// what was missed. A log named twice (a link) is read once.
//
// # Exit status
//
// 0 when all went well (a line longer than 1 MiB is only warned about),
// 1 when a file could not be read (the others are read; with -state the
// unreadable log keeps its position) or the state could not be used or
// saved, 2 for a mistake in the command line.
//
// # Examples
//
// Watch the attacks as they come:
//
//	mailcop-tail -f | mailcop-parse | mailcop-geo | mailcop-report -live
//
// Everything the rotated logs hold, counted per address:
//
//	mailcop-tail -a | mailcop-parse | mailcop-count -by ip -format table
//
// From cron, what was logged since the previous run, rotations included:
//
//	mailcop-tail -state /var/lib/mailcop/tail.state | mailcop-parse | mailcop-report -mail | sendmail -t
//
// A server that logs only to systemd's journal:
//
//	mailcop-tail -journal -unit postfix@- -unit dovecot -f | mailcop-parse
package main
