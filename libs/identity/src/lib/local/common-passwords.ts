/**
 * Passwords that lead every breach corpus and cracking dictionary (RockYou, the yearly "worst
 * passwords" lists, SecLists' top lists), written down from those well-known lists rather than
 * downloaded, plus the Dutch words, names, places and clubs that Dutch users reach for. Matching is
 * on lower case, after decorations are stripped and leetspeak is undone (password-policy.ts), so
 * each entry also stands for "Password1!", "p@ssw0rd" and the like. Entries shorter than the
 * minimum length are kept on purpose: they are the base words of longer decorated passwords.
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  `
123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123 baseball abc123 football monkey
letmein 696969 shadow master 666666 qwertyuiop 123321 mustang 1234567890 michael 654321 superman 1qaz2wsx 7777777
121212 000000 qazwsx 123qwe killer trustno1 jordan jennifer zxcvbnm asdfgh hunter buster soccer harley batman andrew
tigger sunshine iloveyou 2000 charlie robert thomas hockey ranger daniel starwars klaster 112233 george computer
michelle jessica pepper 1111 zxcvbn 555555 11111111 131313 freedom 777777 pass maggie 159753 aaaaaa ginger princess
joshua cheese amanda summer love ashley nicole chelsea biteme matthew access yankees 987654321 dallas austin thunder
taylor matrix mobilemail mom monitor monitoring montana moon moscow william corvette hello martin heather secret
merlin diamond 1234qwer gfhjkm hammer silver 222222 88888888 anthony justin test bailey q1w2e3r4t5 patrick internet
scooter orange 11111 golfer cookie richard samantha bigdog guitar jackson whatever mickey chicken sparky snoopy
maverick phoenix camaro peanut morgan welcome falcon cowboy ferrari samsung andrea smokey steelers joseph mercedes
dakota arsenal eagles melissa boomer booboo spider nascar monster tigers yellow xxxxxx 123123123 gateway marina diablo
bulldog qwer1234 compaq purple hardcore banana junior hannah 123654 porsche lakers iceman money cowboys 987654 london
tennis 999999 ncc1701 coffee scooby 0000 miller boston q1w2e3r4 brandon yamaha chester mother forever johnny edward
333333 oliver redsox player nikita knight fender barney midnight please brandy chicago badboy slayer rangers charles
angel flower bigdaddy rabbit wizard bigdick jasper enter rachel chris steven winner adidas victoria natasha 1q2w3e4r
jasmine winter prince panties marine ghbdtn fishing cocacola casper james 232323 raiders 888888 marlboro gandalf
asdfasdf crystal 87654321 12344321 golden 8675309 panther lauren angela thx1138 angels madison winston shannon mike
toyota blowjob jordan23 canada sophie apples tiger 1q2w3e4r5t scorpion vikings jackie nirvana jessie qwert prayer
benjamin arthur eagle1 charlotte brittany dennis 1234abcd killer1 loveme liverpool qwerty123 rosebud peaches william1
mercury welcome1 password1 password123 password12 passw0rd p@ssword p@ssw0rd pa55word pa55w0rd passwort passwort1
motdepasse contrasena senha parola salasana wachtwoord wachtwoord1 wachtwoord123 welkom welkom01 welkom1 welkom12
welkom123 welkom2020 welkom2021 welkom2022 welkom2023 welkom2024 welkom2025 welkom2026 geheim geheim123 voetbal
voetbal1 ajax ajax1900 feyenoord feyenoord1908 psv psveindhoven amsterdam amsterdam1 rotterdam utrecht denhaag
eindhoven groningen nederland holland oranje hallo hallo123 hoi hoihoi liefde liefje schatje lieverd prinses prinsesje
konijn poesje hondje kikker vlinder zonnebloem bloem bloemetje zomer zomer2024 zomer2025 lente herfst winter2024
maandag dinsdag woensdag donderdag vrijdag zaterdag zondag januari februari maart april mei juni juli augustus
september oktober november december kaas fiets appel banaan aardbei chocolade snoepje koekje hoofdstad gemeente
gemeente1 gemeente123 ambtenaar werk werk123 kantoor computer1 inloggen inlog login login123 admin admin123
administrator root toor beheer beheerder beheer123 test123 test1234 testtest testing tester demo demo123 gast guest
user user123 gebruiker support helpdesk service systeem system changeme changeme123 default secret123 letmein1
letmein123 qwerty1 qwerty12 qwertyui qwerty1234 qwertyuiop123 asdfghjkl asdfghjk asdf1234 asdf zxcv zxcvbnm123
1qaz2wsx3edc qazwsxedc qweasdzxc qwaszx 1q2w3e 1qazxsw2 zaq12wsx zaq1zaq1 !qaz2wsx 1qaz@wsx zaq1xsw2 xsw2zaq1
poiuytrewq lkjhgfdsa mnbvcxz ytrewq 123abc abc1234 abcd1234 abcdef abcdefg abcdefgh abcd abc 111222 123456a 123456q
a123456 q123456 123456abc 12345a 12345q 123qweasd 123qweasdzxc 1234567a 12345678a a12345678 qwe123 qwe123qwe asd123
zxc123 aaa111 aa123456 aaaaaaaa 11223344 1122334455 123456789a 0123456789 01234567 0123456 012345 147852 147852369
741852963 963852741 258258 159357 753951 951753 789456123 456123 789456 321654 963852 852456 456456 654654 789789
321321 147147 258369 147258369 135790 246810 13579 24680 102030 101010 202020 303030 121314 123987 1212 1313 2222 3333
4444 5555 6666 7777 8888 9999 00000 0000000 00000000 000000000 1111111 111111111 1111111111 2222222 22222222 55555555
66666666 77777777 99999999 12121212 123412 12341234 1234512345 123456123456 1234554321 12345654321 1234321 112211
121121 123454321 9876543 98765432 9876543210 987654321a 1a2b3c 1a2b3c4d a1b2c3 a1b2c3d4 q1w2e3 q1w2e3r4t5y6
1q2w3e4r5t6y 1qa2ws3ed access14 master1 master123 shadow1 dragon1 monkey1 monkey123 sunshine1 princess1 iloveyou1
iloveyou2 letmein2 superman1 batman1 football1 baseball1 soccer1 hockey1 jordan1 michael1 jennifer1 ashley1 jessica1
charlie1 thomas1 hunter1 hunter2 buster1 tigger1 ginger1 pepper1 maggie1 cookie1 chicken1 summer1 summer2020
summer2021 summer2022 summer2023 summer2024 winter1 spring spring2024 autumn fall2024 welcome123 welcome2024 hello123
hello1 helloworld hellokitty iloveu iloveyou123 loveyou lovely lover loving love123 love1234 ilovegod iloveme imissyou
5201314 woaini woaini1314 beautiful babygirl baby babyboy angel1 angels1 lovers lovelove sweetheart sweety sweetie
honey honeybee cutie cutiepie darling kisses kiss butterfly rainbow flowers sunflower star stars superstar shining
blessed blessing faith hope jesus jesus1 christ god godisgood heaven trinity genesis destiny freedom1 liberty america
usa123 england france germany berlin paris mexico brazil russia chinese japan tokyo dubai india canada1 australia
qwerty12345 qwertz qwertz123 azerty azerty123 azertyuiop wxcvbn password01 password2 password3 password9 password99
password007 passwords password1234 password12345 passpass pass123 pass1234 passw0rd1 pa$$word pa$$w0rd secret1 secrets
mysecret private privacy security secure secure123 safety letmeinnow openup opensesame entry enter123 master12
masterkey keyboard mouse laptop desktop windows windows7 windows10 microsoft apple iphone android google yahoo hotmail
gmail facebook twitter instagram linkedin youtube netflix spotify amazon ebay paypal skype whatsapp tiktok snapchat
minecraft fortnite pokemon pikachu naruto sasuke goku dragonball onepiece zelda mario luigi sonic tetris pacman halo
counter strike warcraft starcraft diablo2 overwatch roblox callofduty gta legend legends hero heroes batman123
spiderman ironman hulk thor avengers marvel superman123 wonder starwars1 darthvader skywalker yoda jedi hogwarts
harrypotter hermione gandalf1 frodo hobbit sauron matrix1 neo morpheus terminator rocky rambo titanic avatar shrek
simpsons homer bart garfield scooby1 tweety snoopy1 mickey1 minnie donald goofy pluto disney barbie princesa lollipop
cupcake chocolate candy sugar sweet cookies muffin pancake pizza burger hotdog cheese1 bacon coffee1 tea vodka whiskey
beer tequila martini bacardi guinness heineken budweiser corona jackdaniels smirnoff absolut michael23 kobe24 lebron23
messi10 ronaldo7 cristiano neymar messi ronaldo beckham zidane maradona pele ajax123 barcelona realmadrid chelsea1
arsenal1 liverpool1 manutd manchester united juventus milan inter bayern dortmund celtic rangers1 everton tottenham
newcastle yankees1 redsox1 lakers1 bulls celtics cowboys1 steelers1 packers patriots broncos raiders1 eagles1 giants
jets dolphins bears vikings1 saints falcons panthers chargers rams ravens bengals browns titans colts texans jaguars
chiefs seahawks niners ferrari1 porsche1 mercedes1 bmw audi audi123 volkswagen golf toyota1 honda nissan mazda subaru
ford mustang1 chevy camaro1 corvette1 harley1 yamaha1 suzuki kawasaki ducati jeep dodge viper cobra jaguar lexus volvo
fuckyou fuckyou1 fuckoff fuck fucker asshole bitch bitch1 shit pussy sex sexy sexy1 horny naughty playboy hooters
boobs dick killer123 hacker hacked hacking hackme h4x0r 1337 leet elite ninja ninja123 samurai shogun warrior warriors
soldier sniper viking knight1 king kingdom queen prince1 princess123 lord master2 boss chief captain major general
admiral sergeant alpha beta gamma delta omega sigma zeta theta alpha1 omega1 alpha123 zombie vampire werewolf monster1
demon devil satan lucifer hell666 666 dragon123 dragons dragonfly tiger1 tigers1 lion lions leopard panther1 wolf
wolves fox foxy bear eagle falcon1 hawk raven crow shark dolphin whale turtle snake cobra1 python spider1 scorpion1
horse pony unicorn pegasus bunny rabbit1 kitten kitty kittycat cat cats dog dogs puppy puppies doggy doggie lucky
lucky1 lucky7 luck charlie123 max buddy buddy1 rocky1 duke bella lucy daisy molly sadie bailey1 sophie1 chloe zoe lily
emma olivia ava mia isabella madison1 abigail emily elizabeth sarah hannah1 ashley123 amanda1 jessica123 jennifer123
michelle1 nicole1 stephanie melissa1 rebecca rachel1 laura lauren1 megan amber brittany1 danielle samantha1 kimberly
christina andrea1 natalie alexis alexandra alexander alex alex123 sam samuel david david1 daniel1 james1 john john123
johnny1 robert1 william123 richard1 joseph1 charles1 thomas123 christopher chris123 matthew1 anthony1 mark marcus
mario1 martin1 peter paul jason justin1 kevin brian steven1 eric adam ryan jacob ethan logan lucas noah liam mason
jack jackson1 aiden dylan tyler austin1 nathan benjamin1 andrew1 joshua1 jan piet kees henk willem sander thijs daan
sem lucas1 finn luuk jeroen bas tim tom ruben lars niels bram stijn joris wouter emma1 sophie2 julia anna tess zoe1
lotte sara eva lisa fleur sanne anouk femke lieke iris noor maud marieke inge ingrid monique petra anja linda sandra
bianca esther wendy jolanda marjolein deventer haarlem leiden delft zwolle arnhem nijmegen breda tilburg maastricht
almere apeldoorn enschede amersfoort zaandam dordrecht friesland brabant limburg zeeland drenthe overijssel gelderland
noordholland zuidholland flevoland ijsselmeer waddenzee tulp tulpen molen klompen fietsen stroopwafel hagelslag drop
poffertjes oranjeboven hupholland sinterklaas kerstmis kerst pasen koningsdag koning koningin prinsje oranje1
nederland1 holland1 dutch ikhouvanjou jijbentlief lievert schat schatje1 meisje jongen mama papa oma opa broer zus
familie vrienden vriend vriendin kinderen mama123 papa123 mamapapa mijnwachtwoord mijnnaam nieuw nieuw123 welkomwelkom
wachtwoord1234 wachtwoord12 wachtwoord01 wachtwoord2024 wachtwoordje geheimpje geheim1 veilig veilig123 beveiligd
beveiliging toegang inloggen123 aanmelden account mijnaccount mypassword mypass newpassword newpass oldpassword temp
temp123 temporary temppassword qwerty0 asdf123 asdfg asdfghj zxcvb zxcvbnm1 1234asdf qwertyu qwertyui1 1qw23e 1q2w3e4
qazwsx123 qazwsxedcrfv 1qaz 2wsx 3edc qwe asd zxc qweqwe asdasd zxczxc 123qwe123 qweasd qweasd123 qwerasdf qwertasdfg
1234567q qwerty7 qwerty11 aaaa aaaaa aaaaaaa aaaaaaaaaa abcabc abc123abc aabbcc abcdabcd zzzzzz zzzzzzzz xxxxxxxx
qqqqqq qqqqqqqq wwwwww 1q1q1q1q blink182 metallica slipknot nirvana1 greenday linkinpark eminem 50cent tupac 2pac
beatles elvis madonna rihanna beyonce shakira music musica musician guitar1 piano drums rock rocknroll rockstar metal
punk jazz blues hiphop rap dance dancer singer america1 patriot soldier1 marine1 army navy airforce military police
sheriff fireman doctor nurse teacher student school college university science physics chemistry biology math maths
history computer123 internet1 network server database oracle mysql linux ubuntu unix cisco juniper router admin1
admin12 admin1234 administrator1 adminadmin root123 rootroot sysadmin superuser supervisor manager operator office
office123 company business money1 money123 cash dollar dollars euro gold silver1 diamond1 platinum crystal1 ruby
emerald sapphire pearl jade amber1 onyx red blue green yellow1 purple1 orange1 black white pink brown grey gray
silver2 violet indigo january february march april1 may june july august september1 october december1 monday tuesday
wednesday thursday friday saturday sunday spring1 summer123 autumn1 winter123 sunset sunrise moonlight moon1 sun earth
mars venus jupiter saturn pluto1 galaxy universe cosmos star1 nothing anything something everything whatever1 nobody
somebody anybody qwerty69 sexy69 69696969 6969 hotmail1 yahoo1 google1 gmail1 letmein12 iloveyou12 trustme believe
imagine dream dreamer dreams smile happy happy1 happiness funny fun crazy silly magic magician wizard1 merlin1
gandalf2 dragon2 phoenix1 thunder1 lightning storm tornado hurricane rain snow snowball snowman ice fire firefly flame
water ocean sea river lake mountain forest tree flower1 rose roses lily1 daisy1 jasmine1 orchid tulip apple1 orange2
banana1 cherry strawberry lemon peach mango pineapple tomato potato carrot pumpkin peanut1 coconut soccer123
football123 baseball123 basketball volleyball tennis1 golf1 golfer1 hockey123 rugby cricket swimming running cycling
boxing karate chess poker casino blackjack bingo lottery winner1 champion champions bigboy bigman bigdaddy1 daddy
mommy mother1 father family1 brother sister friend friends bestfriend buddy123 partner lover1 husband wife baby123
babydoll babyface cutie1 sweetpea sunshine123 rainbow1 123456789012 1234567890123 12345678901 qwertyuiop12 1234567891
123456780 1234567809 qwerty123456 password123456 abc123456 abcdef123 a1b2c3d4e5 zaq123 xsw123 1234zxcv zxcv1234
asdf12345 lol123 lol lolol lolipop omg omg123 wtf yolo swag swagger 420 420420 weed ganja marijuana 123456789q
qwerty123! qwerty! password! password1! welcome! hello! letmein! 1qaz!qaz !qaz1qaz
`
    .trim()
    .split(/\s+/),
);
