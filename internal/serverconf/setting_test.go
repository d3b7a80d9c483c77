package serverconf

import "testing"

func TestRedactAddress(t *testing.T) {
	for in, want := range map[string]string{
		"http://host:4040":           "http://host:4040",
		"http://u@host":              "http://u@host",
		"http://u:p@ss@host:1/x":     "http://u:xxxxx@host:1/x",
		"u:secret@host":              "u:xxxxx@host",
		"https://u:%20p@h/prefix":    "https://u:xxxxx@h/prefix",
		"http://user:pw@host:4040/x": "http://user:xxxxx@host:4040/x",
	} {
		if got := redactAddress(in); got != want {
			t.Errorf("redactAddress(%q) = %q, want %q", in, got, want)
		}
	}
}
