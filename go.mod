module github.com/emberprof/ember

go 1.26.0

require (
	github.com/google/pprof v0.0.0-20261105003125-4bf881d7fb0b
	github.com/klauspost/compress v1.20.4
	golang.org/x/sync v0.25.0
)
