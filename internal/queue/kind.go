package queue

import "errors"

// kindOf returns what the log groups failures by: the kind an error in
// err's chain names through a Kind method (such as "connection reset" or
// "HTTP 503"), else err's message. Grouping by kind keeps messages that
// differ in every attempt, by a local port or a request ID, from each
// being logged at error level.
func kindOf(err error) string {
	var k interface{ Kind() string }
	if errors.As(err, &k) {
		return "kind " + k.Kind()
	}
	return err.Error()
}
