; expect: ok
; Every addressing mode of BIT, TSB and TRB.
org $008000
	bit #$12            ; immediate (M), 8-bit
	bit #$1234          ; immediate (M), 16-bit
	bit $12             ; direct
	bit $12,x           ; direct,X
	bit $1234           ; absolute
	bit $1234,x         ; absolute,X
	tsb $12             ; direct
	tsb $1234           ; absolute
	trb $12             ; direct
	trb $1234           ; absolute
