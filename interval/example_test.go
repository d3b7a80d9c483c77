package interval_test

import (
	"fmt"
	"time"

	"github.com/emberprof/ember/interval"
)

// A Profile names the interval it covers; a sink files it under
// Application, Tags and Type.
func ExampleProfile() {
	from := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	p := &interval.Profile{
		Application: "checkout",
		Tags:        map[string]string{"region": "eu"},
		Type:        interval.TypeHeap,
		SampleTypes: []string{"alloc_space"},
		From:        from,
		Until:       from.Add(15 * time.Second),
	}
	fmt.Printf("%s %s %s from %s for %s\n", p.Application, p.Tags["region"], p.Type,
		p.From.Format(time.TimeOnly), p.Until.Sub(p.From))
	// Output: checkout eu heap from 12:00:00 for 15s
}
