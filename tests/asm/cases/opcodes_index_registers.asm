; expect: ok
; Every addressing mode of the index-register loads, stores and compares, and STZ.
org $008000
	ldx #$12            ; immediate (X), 8-bit
	ldx #$1234          ; immediate (X), 16-bit
	ldx $12             ; direct
	ldx $12,y           ; direct,Y
	ldx $1234           ; absolute
	ldx $1234,y         ; absolute,Y
	ldy #$12            ; immediate (X), 8-bit
	ldy #$1234          ; immediate (X), 16-bit
	ldy $12             ; direct
	ldy $12,x           ; direct,X
	ldy $1234           ; absolute
	ldy $1234,x         ; absolute,X
	stx $12             ; direct
	stx $12,y           ; direct,Y
	stx $1234           ; absolute
	sty $12             ; direct
	sty $12,x           ; direct,X
	sty $1234           ; absolute
	cpx #$12            ; immediate (X), 8-bit
	cpx #$1234          ; immediate (X), 16-bit
	cpx $12             ; direct
	cpx $1234           ; absolute
	cpy #$12            ; immediate (X), 8-bit
	cpy #$1234          ; immediate (X), 16-bit
	cpy $12             ; direct
	cpy $1234           ; absolute
	stz $12             ; direct
	stz $12,x           ; direct,X
	stz $1234           ; absolute
	stz $1234,x         ; absolute,X
