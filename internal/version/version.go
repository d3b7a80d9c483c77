// Package version holds Ember's release version, for the User-Agent and
// anywhere else Ember names itself.
package version

// Version is Ember's semantic version.
const Version = "0.1.0"
