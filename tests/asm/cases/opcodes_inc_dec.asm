; expect: ok
; INC/DEC in every mode, and the index increments.
org $008000
	inc a               ; accumulator
	inc $12             ; direct
	inc $12,x           ; direct,X
	inc $1234           ; absolute
	inc $1234,x         ; absolute,X
	dec a               ; accumulator
	dec $12             ; direct
	dec $12,x           ; direct,X
	dec $1234           ; absolute
	dec $1234,x         ; absolute,X
	inx                 ; implied
	iny                 ; implied
	dex                 ; implied
	dey                 ; implied
