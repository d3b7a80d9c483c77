package file_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/emberprof/ember/interval"
	"github.com/emberprof/ember/upstream/file"
)

func ExampleNew() {
	dir, _ := os.MkdirTemp("", "ember-example")
	defer os.RemoveAll(dir)

	sink, err := file.New(file.Config{Dir: dir, MaxFiles: 100})
	if err != nil {
		fmt.Println(err)
		return
	}
	var goroutines bytes.Buffer
	_ = pprof.Lookup("goroutine").WriteTo(&goroutines, 0)
	from := time.Date(2026, 11, 24, 22, 30, 0, 0, time.UTC)
	sink.Upload(&interval.Profile{
		Application: "checkout",
		Type:        interval.TypeGoroutines,
		From:        from,
		Until:       from.Add(15 * time.Second),
		Data:        goroutines.Bytes(),
	})
	if err := sink.Shutdown(context.Background()); err != nil {
		fmt.Println(err)
	}

	files, _ := filepath.Glob(filepath.Join(dir, "*goroutines*"))
	for _, f := range files {
		fmt.Println(filepath.Base(f)) // go tool pprof -http=:0 DIR/*goroutines*
	}
	// Output: checkout.goroutines.20261124T223000.000Z-20261124T223015.000Z.pb.gz
}

func ExampleFind() {
	dir, _ := os.MkdirTemp("", "ember-example")
	defer os.RemoveAll(dir)

	sink, _ := file.New(file.Config{Dir: dir})
	var data bytes.Buffer // any profile will do for the example
	_ = pprof.Lookup("goroutine").WriteTo(&data, 0)
	from := time.Date(2026, 11, 24, 22, 30, 0, 0, time.UTC)
	for i := range 4 {
		at := from.Add(time.Duration(i) * 15 * time.Second)
		sink.Upload(&interval.Profile{Application: "checkout", Type: interval.TypeCPU, From: at, Until: at.Add(15 * time.Second), Data: data.Bytes()})
	}
	_ = sink.Shutdown(context.Background())

	// The CPU profiles of the half minute from 22:30:20.
	paths, err := file.Find(dir, "checkout", interval.TypeCPU, from.Add(20*time.Second), from.Add(50*time.Second))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range paths {
		fmt.Println(filepath.Base(p))
	}
	// Output:
	// checkout.cpu.20261124T223015.000Z-20261124T223030.000Z.pb.gz
	// checkout.cpu.20261124T223030.000Z-20261124T223045.000Z.pb.gz
	// checkout.cpu.20261124T223045.000Z-20261124T223100.000Z.pb.gz
}
