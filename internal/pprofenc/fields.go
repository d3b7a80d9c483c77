package pprofenc

// Field numbers of profile.proto (github.com/google/pprof/proto), by
// message: the one list of them in Ember, for the encoder and for every
// package that reads a profile with [Walk].
const (
	ProfileSampleType    = 1
	ProfileSample        = 2
	ProfileMapping       = 3
	ProfileLocation      = 4
	ProfileFunction      = 5
	ProfileStringTable   = 6
	ProfileTimeNanos     = 9
	ProfileDurationNanos = 10
	ProfilePeriodType    = 11
	ProfilePeriod        = 12

	ValueTypeType = 1
	ValueTypeUnit = 2

	SampleLocationID = 1
	SampleValue      = 2
	SampleLabel      = 3

	LabelKey = 1
	LabelStr = 2
	LabelNum = 3

	MappingID           = 1
	MappingStart        = 2
	MappingLimit        = 3
	MappingOffset       = 4
	MappingFilename     = 5
	MappingBuildID      = 6
	MappingHasFunctions = 7

	LocationID        = 1
	LocationMappingID = 2
	LocationAddress   = 3
	LocationLine      = 4

	LineFunctionID = 1
	LineLine       = 2

	FunctionID         = 1
	FunctionName       = 2
	FunctionSystemName = 3
	FunctionFilename   = 4
	FunctionStartLine  = 5
)
