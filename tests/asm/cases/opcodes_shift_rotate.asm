; expect: ok
; Every addressing mode of ASL, LSR, ROL and ROR.
org $008000
	asl a               ; accumulator
	asl $12             ; direct
	asl $12,x           ; direct,X
	asl $1234           ; absolute
	asl $1234,x         ; absolute,X
	lsr a               ; accumulator
	lsr $12             ; direct
	lsr $12,x           ; direct,X
	lsr $1234           ; absolute
	lsr $1234,x         ; absolute,X
	rol a               ; accumulator
	rol $12             ; direct
	rol $12,x           ; direct,X
	rol $1234           ; absolute
	rol $1234,x         ; absolute,X
	ror a               ; accumulator
	ror $12             ; direct
	ror $12,x           ; direct,X
	ror $1234           ; absolute
	ror $1234,x         ; absolute,X
