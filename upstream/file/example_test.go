package file_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/emberprof/ember/upstream"
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
	sink.Upload(&upstream.Profile{
		Application: "checkout",
		Type:        upstream.TypeGoroutines,
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
