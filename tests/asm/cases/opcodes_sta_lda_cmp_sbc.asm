; expect: ok
; Every addressing mode of STA, LDA, CMP and SBC.
org $008000
	sta $12             ; direct
	sta $12,x           ; direct,X
	sta ($12)           ; (direct)
	sta ($12,x)         ; (direct,X)
	sta ($12),y         ; (direct),Y
	sta [$12]           ; [direct]
	sta [$12],y         ; [direct],Y
	sta $12,s           ; stack,S
	sta ($12,s),y       ; (stack,S),Y
	sta $1234           ; absolute
	sta $1234,x         ; absolute,X
	sta $1234,y         ; absolute,Y
	sta $123456         ; long
	sta $123456,x       ; long,X
	lda #$12            ; immediate (M), 8-bit
	lda #$1234          ; immediate (M), 16-bit
	lda $12             ; direct
	lda $12,x           ; direct,X
	lda ($12)           ; (direct)
	lda ($12,x)         ; (direct,X)
	lda ($12),y         ; (direct),Y
	lda [$12]           ; [direct]
	lda [$12],y         ; [direct],Y
	lda $12,s           ; stack,S
	lda ($12,s),y       ; (stack,S),Y
	lda $1234           ; absolute
	lda $1234,x         ; absolute,X
	lda $1234,y         ; absolute,Y
	lda $123456         ; long
	lda $123456,x       ; long,X
	cmp #$12            ; immediate (M), 8-bit
	cmp #$1234          ; immediate (M), 16-bit
	cmp $12             ; direct
	cmp $12,x           ; direct,X
	cmp ($12)           ; (direct)
	cmp ($12,x)         ; (direct,X)
	cmp ($12),y         ; (direct),Y
	cmp [$12]           ; [direct]
	cmp [$12],y         ; [direct],Y
	cmp $12,s           ; stack,S
	cmp ($12,s),y       ; (stack,S),Y
	cmp $1234           ; absolute
	cmp $1234,x         ; absolute,X
	cmp $1234,y         ; absolute,Y
	cmp $123456         ; long
	cmp $123456,x       ; long,X
	sbc #$12            ; immediate (M), 8-bit
	sbc #$1234          ; immediate (M), 16-bit
	sbc $12             ; direct
	sbc $12,x           ; direct,X
	sbc ($12)           ; (direct)
	sbc ($12,x)         ; (direct,X)
	sbc ($12),y         ; (direct),Y
	sbc [$12]           ; [direct]
	sbc [$12],y         ; [direct],Y
	sbc $12,s           ; stack,S
	sbc ($12,s),y       ; (stack,S),Y
	sbc $1234           ; absolute
	sbc $1234,x         ; absolute,X
	sbc $1234,y         ; absolute,Y
	sbc $123456         ; long
	sbc $123456,x       ; long,X
