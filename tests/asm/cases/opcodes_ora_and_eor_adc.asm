; expect: ok
; Every addressing mode of ORA, AND, EOR and ADC.
org $008000
	ora #$12            ; immediate (M), 8-bit
	ora #$1234          ; immediate (M), 16-bit
	ora $12             ; direct
	ora $12,x           ; direct,X
	ora ($12)           ; (direct)
	ora ($12,x)         ; (direct,X)
	ora ($12),y         ; (direct),Y
	ora [$12]           ; [direct]
	ora [$12],y         ; [direct],Y
	ora $12,s           ; stack,S
	ora ($12,s),y       ; (stack,S),Y
	ora $1234           ; absolute
	ora $1234,x         ; absolute,X
	ora $1234,y         ; absolute,Y
	ora $123456         ; long
	ora $123456,x       ; long,X
	and #$12            ; immediate (M), 8-bit
	and #$1234          ; immediate (M), 16-bit
	and $12             ; direct
	and $12,x           ; direct,X
	and ($12)           ; (direct)
	and ($12,x)         ; (direct,X)
	and ($12),y         ; (direct),Y
	and [$12]           ; [direct]
	and [$12],y         ; [direct],Y
	and $12,s           ; stack,S
	and ($12,s),y       ; (stack,S),Y
	and $1234           ; absolute
	and $1234,x         ; absolute,X
	and $1234,y         ; absolute,Y
	and $123456         ; long
	and $123456,x       ; long,X
	eor #$12            ; immediate (M), 8-bit
	eor #$1234          ; immediate (M), 16-bit
	eor $12             ; direct
	eor $12,x           ; direct,X
	eor ($12)           ; (direct)
	eor ($12,x)         ; (direct,X)
	eor ($12),y         ; (direct),Y
	eor [$12]           ; [direct]
	eor [$12],y         ; [direct],Y
	eor $12,s           ; stack,S
	eor ($12,s),y       ; (stack,S),Y
	eor $1234           ; absolute
	eor $1234,x         ; absolute,X
	eor $1234,y         ; absolute,Y
	eor $123456         ; long
	eor $123456,x       ; long,X
	adc #$12            ; immediate (M), 8-bit
	adc #$1234          ; immediate (M), 16-bit
	adc $12             ; direct
	adc $12,x           ; direct,X
	adc ($12)           ; (direct)
	adc ($12,x)         ; (direct,X)
	adc ($12),y         ; (direct),Y
	adc [$12]           ; [direct]
	adc [$12],y         ; [direct],Y
	adc $12,s           ; stack,S
	adc ($12,s),y       ; (stack,S),Y
	adc $1234           ; absolute
	adc $1234,x         ; absolute,X
	adc $1234,y         ; absolute,Y
	adc $123456         ; long
	adc $123456,x       ; long,X
