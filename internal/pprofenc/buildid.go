package pprofenc

import (
	"debug/elf"
	"encoding/hex"
	"strings"
)

// elfBuildID returns the GNU build ID of an ELF file as hex, or "" when the
// file has none or cannot be read (pseudo-files such as [vdso] included).
func elfBuildID(file string) string {
	if strings.HasPrefix(file, "[") {
		return ""
	}
	f, err := elf.Open(file)
	if err != nil {
		return ""
	}
	defer f.Close()
	s := f.Section(".note.gnu.build-id")
	if s == nil {
		return ""
	}
	data, err := s.Data()
	if err != nil {
		return ""
	}
	// Note: namesz, descsz, type (4 bytes each), name padded to 4, desc.
	if len(data) < 12 {
		return ""
	}
	bo := f.ByteOrder
	namesz := int(bo.Uint32(data[0:4]))
	descsz := int(bo.Uint32(data[4:8]))
	start := 12 + (namesz+3)&^3
	if start+descsz > len(data) {
		return ""
	}
	return hex.EncodeToString(data[start : start+descsz])
}
