# ruff: noqa: E501
"""Typed word lists (Korean + English) for the story generator.

Every list is a *type*: a pattern slot of type ``fruit`` only ever receives a fruit, so the stories keep
their sense (only edible things are eaten, only places are gone to, a shop sells its own goods).
All words were written for this project.
"""

from __future__ import annotations

from .words import W, parse_acts, parse_words

# ---------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------
KO_NAMES_M = "민수 준호 지호 도윤 하준 서준 현우 민준 지훈 태양 우진 성민 재민 건우 시우 은호 동현 승우 영호 진우 준서 유찬".split()
KO_NAMES_F = "지수 서연 민지 유나 하은 수빈 예린 지아 서윤 하린 소희 은지 채원 다은 나연 수아 윤아 미나 혜진 가은 소연 지민".split()
EN_NAMES_M = "Tom Sam Ben Leo Max Jack Noah Liam Owen Eli Dan Ryan Luke Henry Oscar Minsu Junho Jiho Hyunwoo Taeyang Jay Felix".split()
EN_NAMES_F = "Mina Emma Lily Anna Mia Sara Grace Ella Ruby Zoe Jisu Yuna Seoyeon Hana Amy Kate Lucy Nora Ivy Chloe Sophie Alice".split()


def _names(names: list[str], g: str) -> list[W]:
    return [W(n, n, frozenset({"noart"}), {"g": g}) for n in names]


NAMES = {
    "ko": _names(KO_NAMES_M, "m") + _names(KO_NAMES_F, "f"),
    "en": _names(EN_NAMES_M, "m") + _names(EN_NAMES_F, "f"),
}

PARENTS = parse_words("""
엄마 | mom | g=f | en_voc=Mom
아빠 | dad | g=m | en_voc=Dad
""")

FAMILY = PARENTS + parse_words("""
할머니 | grandma | g=f
할아버지 | grandpa | g=m
삼촌 | uncle | g=m
이모 | aunt | g=f
형 | big brother | g=m | ko_m=형 | ko_f=오빠
누나 | big sister | g=f | ko_m=누나 | ko_f=언니
""")

YOUNG_SIBLINGS = parse_words("""
남동생 | little brother | g=m
여동생 | little sister | g=f
""")

GRANDPARENTS = parse_words("""
할머니 | grandma | g=f | en_voc=Grandma
할아버지 | grandpa | g=m | en_voc=Grandpa
""")

# ---------------------------------------------------------------------------------------------
# Time and weather
# ---------------------------------------------------------------------------------------------
TIMES = parse_words("""
어느 날 | one day
어제 | yesterday
어제 오후에 | yesterday afternoon
지난 토요일에 | last Saturday
일요일 아침에 | on Sunday morning
토요일 오후에 | on Saturday afternoon
어느 봄날 | one spring day
어느 가을 아침 | one autumn morning
지난 주말에 | last weekend
방학 첫날에 | on the first day of the vacation
아침 일찍 | early in the morning
금요일 저녁에 | on Friday evening
학교가 끝난 뒤에 | after school
점심을 먹고 나서 | after lunch
오늘 아침에 | this morning
수요일 오후에 | on Wednesday afternoon
어느 맑은 날 | one sunny day
그날 아침 | that morning
""")

SCHOOL_TIMES = parse_words("""
쉬는 시간에 | during the break
점심시간에 | at lunchtime
월요일 아침에 | on Monday morning
수업이 끝난 뒤에 | after class
체육 시간에 | during gym class
미술 시간에 | during art class
아침 조회 시간에 | before the first lesson
금요일 오후에 | on Friday afternoon
""")

# A day as the topic of a sentence ("토요일에는 비가 왔다" / "On Saturday, it rained").
DAYS = parse_words("""
토요일에는 | on Saturday
일요일에는 | on Sunday
그날은 | that day
방학 첫날에는 | on the first day of the vacation
어린이날에는 | on Children's Day
공휴일에는 | on the holiday
그 주말에는 | that weekend
""")

WINTER_TIMES = parse_words("""
어느 추운 겨울날 | one cold winter day
십이월의 어느 날 | one day in December
크리스마스 아침에 | on Christmas morning
겨울 방학 동안 어느 날 | one day during the winter vacation
눈이 온 다음 날 아침에 | the morning after the snow
""")

SUMMER_TIMES = parse_words("""
어느 더운 여름날 | one hot summer day
여름 방학에 | during the summer vacation
칠월의 어느 날 | one day in July
팔월의 어느 토요일에 | one Saturday in August
무더운 일요일에 | on a very hot Sunday
""")

SUNNY = parse_words("""
하늘이 맑고 햇살이 따뜻했다 | the sky was clear and the sun was warm
날씨가 아주 좋았다 | the weather was very nice
하늘에 구름 한 점 없었다 | there was not a single cloud in the sky
시원한 바람이 살랑살랑 불었다 | a cool breeze was blowing gently
햇볕이 따스하게 내리쬐었다 | the sun was shining warmly
파란 하늘에 하얀 구름이 떠 있었다 | white clouds were floating in the blue sky
""")

RAINY = parse_words("""
아침부터 비가 주룩주룩 내렸다 | it had been raining hard since morning
창밖에 비가 많이 내렸다 | heavy rain was falling outside the window
하늘이 어둡고 빗방울이 떨어졌다 | the sky was dark and raindrops were falling
하루 종일 비가 그치지 않았다 | the rain did not stop all day
천둥이 치고 비가 쏟아졌다 | there was thunder and the rain poured down
""")

SNOWY = parse_words("""
밤새 눈이 소복소복 쌓였다 | snow had piled up softly during the night
온 세상이 하얗게 변해 있었다 | the whole world had turned white
하늘에서 함박눈이 펑펑 내렸다 | big snowflakes were falling from the sky
지붕과 나무 위에 하얀 눈이 쌓였다 | white snow covered the roofs and the trees
""")

# ---------------------------------------------------------------------------------------------
# Feelings: ko = dictionary form, ko_pst = past stem (+다 / +기 때문에), ko_eo = 어-form (+서); en = adjective
# ---------------------------------------------------------------------------------------------
FEEL_JOY = parse_words("""
기쁘다 | happy | ko_pst=기뻤 | ko_eo=기뻐
행복하다 | joyful | ko_pst=행복했 | ko_eo=행복해
신나다 | delighted | ko_pst=신났 | ko_eo=신나
즐겁다 | cheerful | ko_pst=즐거웠 | ko_eo=즐거워
""")

FEEL_PROUD = parse_words("""
뿌듯하다 | proud | ko_pst=뿌듯했 | ko_eo=뿌듯해
만족스럽다 | pleased | ko_pst=만족스러웠 | ko_eo=만족스러워
자랑스럽다 | proud of {himself} | ko_pst=자랑스러웠 | ko_eo=자랑스러워
""")

FEEL_EXCITED = parse_words("""
설레다 | excited | ko_pst=설렜 | ko_eo=설레
신나다 | thrilled | ko_pst=신났 | ko_eo=신나
기대되다 | eager | ko_pst=기대되었 | ko_eo=기대되어
들뜨다 | overjoyed | ko_pst=들떴 | ko_eo=들떠
""")

FEEL_UPSET = parse_words("""
속상하다 | upset | ko_pst=속상했 | ko_eo=속상해
슬프다 | sad | ko_pst=슬펐 | ko_eo=슬퍼
시무룩하다 | glum | ko_pst=시무룩했 | ko_eo=시무룩해
울적하다 | down | ko_pst=울적했 | ko_eo=울적해
""")

FEEL_RELIEF = parse_words("""
안심이 되다 | relieved | ko_pst=안심이 되었 | ko_eo=안심이 되어
기쁘다 | glad | ko_pst=기뻤 | ko_eo=기뻐
마음이 놓이다 | calm again | ko_pst=마음이 놓였 | ko_eo=마음이 놓여
""")

FEEL_SAD = parse_words("""
슬프다 | sad | ko_pst=슬펐 | ko_eo=슬퍼
속상하다 | upset | ko_pst=속상했 | ko_eo=속상해
우울하다 | gloomy | ko_pst=우울했 | ko_eo=우울해
외롭다 | lonely | ko_pst=외로웠 | ko_eo=외로워
아쉽다 | disappointed | ko_pst=아쉬웠 | ko_eo=아쉬워
""")

FEEL_WORRY = parse_words("""
걱정되다 | worried | ko_pst=걱정되었 | ko_eo=걱정되어
불안하다 | uneasy | ko_pst=불안했 | ko_eo=불안해
초조하다 | anxious | ko_pst=초조했 | ko_eo=초조해
""")

FEEL_FEAR = parse_words("""
무섭다 | scared | ko_pst=무서웠 | ko_eo=무서워
겁이 나다 | frightened | ko_pst=겁이 났 | ko_eo=겁이 나
""")

FEEL_NERVOUS = parse_words("""
긴장되다 | nervous | ko_pst=긴장되었 | ko_eo=긴장되어
떨리다 | jittery | ko_pst=떨렸 | ko_eo=떨려
""")

FEEL_SURPRISE = parse_words("""
놀라다 | surprised | ko_pst=놀랐 | ko_eo=놀라
깜짝 놀라다 | amazed | ko_pst=깜짝 놀랐 | ko_eo=깜짝 놀라
어리둥절하다 | puzzled | ko_pst=어리둥절했 | ko_eo=어리둥절해
""")

FEEL_TIRED = parse_words("""
피곤하다 | tired | ko_pst=피곤했 | ko_eo=피곤해
지치다 | worn out | ko_pst=지쳤 | ko_eo=지쳐
졸리다 | sleepy | ko_pst=졸렸 | ko_eo=졸려
""")

FEEL_BORED = parse_words("""
심심하다 | bored | ko_pst=심심했 | ko_eo=심심해
지루하다 | restless | ko_pst=지루했 | ko_eo=지루해
""")

FEEL_ANGRY = parse_words("""
화가 나다 | angry | ko_pst=화가 났 | ko_eo=화가 나
서운하다 | hurt | ko_pst=서운했 | ko_eo=서운해
""")

FEEL_THANKS = parse_words("""
고맙다 | thankful | ko_pst=고마웠 | ko_eo=고마워
감동하다 | moved | ko_pst=감동했 | ko_eo=감동해
""")

# ---------------------------------------------------------------------------------------------
# Places
# ---------------------------------------------------------------------------------------------
PLAY_PLACES = parse_words("""
공원 | the park
놀이터 | the playground
운동장 | the school field
강가 | the riverside
호숫가 | the lake
잔디밭 | the big lawn
동네 공원 | the neighborhood park
아파트 놀이터 | the playground near the apartment
""")

TOWN_PLACES = parse_words("""
시장 | the market
도서관 | the library
우체국 | the post office
은행 | the bank
박물관 | the museum
미술관 | the art museum
수영장 | the swimming pool
기차역 | the train station
빵집 | the bakery
식당 | the restaurant
카페 | the cafe
서점 | the bookstore
마트 | the supermarket
약국 | the pharmacy
체육관 | the gym
미용실 | the hair salon
문구점 | the stationery store
꽃집 | the flower shop
편의점 | the convenience store
과학관 | the science museum
""")

HOME_SPOTS = parse_words("""
침대 밑 | under the bed
소파 밑 | under the sofa
책상 서랍 안 | in the desk drawer
옷장 안 | in the closet
신발장 안 | in the shoe cabinet
책장 뒤 | behind the bookshelf
세탁기 옆 | next to the washing machine
현관 앞 | by the front door
식탁 위 | on the dining table
냉장고 위 | on top of the fridge
베개 밑 | under the pillow
외투 주머니 속 | in the pocket of a coat
장난감 상자 안 | in the toy box
화분 뒤 | behind the flowerpot
의자 밑 | under a chair
창문 옆 | by the window
욕실 선반 위 | on the bathroom shelf
피아노 위 | on top of the piano
빨래 바구니 속 | in the laundry basket
소파 쿠션 사이 | between the sofa cushions
""")

OUTDOOR_SPOTS = parse_words("""
나무 위 | up in a tree
자동차 밑 | under a parked car
덤불 속 | in the bushes
옆집 마당 | in the neighbor's yard
미끄럼틀 밑 | under the slide
창고 안 | inside the shed
계단 밑 | under the stairs
빈 상자 안 | inside an empty box
꽃밭 | in the flower garden
벤치 밑 | under a bench
""")

ROOMS = parse_words("""
거실 | the living room
부엌 | the kitchen
방 | the bedroom
욕실 | the bathroom
베란다 | the balcony
""")

CITIES = parse_words("""
부산 | Busan | noart | sight=해운대 바다 | en_sight=Haeundae Beach | food=어묵 | en_food=fish cakes
제주도 | Jeju Island | noart | sight=한라산 | en_sight=Hallasan Mountain | food=귤 | en_food=tangerines
경주 | Gyeongju | noart | sight=불국사 | en_sight=Bulguksa Temple | food=경주빵 | en_food=sweet red bean pastries
전주 | Jeonju | noart | sight=한옥 마을 | en_sight=the hanok village | food=비빔밥 | en_food=bibimbap
강릉 | Gangneung | noart | sight=경포 바다 | en_sight=Gyeongpo Beach | food=감자떡 | en_food=potato rice cakes
속초 | Sokcho | noart | sight=설악산 | en_sight=Seoraksan Mountain | food=오징어순대 | en_food=stuffed squid
서울 | Seoul | noart | sight=경복궁 | en_sight=Gyeongbokgung Palace | food=떡볶이 | en_food=tteokbokki
여수 | Yeosu | noart | sight=밤바다 | en_sight=the sea at night | food=갓김치 | en_food=mustard leaf kimchi
춘천 | Chuncheon | noart | sight=남이섬 | en_sight=Nami Island | food=닭갈비 | en_food=spicy stir-fried chicken
인천 | Incheon | noart | sight=차이나타운 | en_sight=Chinatown | food=짜장면 | en_food=black bean noodles
""")

TRAIN_CITIES = [c for c in CITIES if c.ko in ("부산", "경주", "전주", "강릉", "서울", "춘천")]

TRANSPORT = parse_words("""
기차 | train
버스 | bus
고속버스 | express bus
비행기 | plane
배 | ferry
자동차 | car
지하철 | subway
""")

# ---------------------------------------------------------------------------------------------
# Things
# ---------------------------------------------------------------------------------------------
LOST_ITEMS = parse_words("""
우산 | umbrella
열쇠 | key
지갑 | wallet
모자 | hat
안경 | glasses | pl
장갑 | gloves | pl
필통 | pencil case
휴대폰 | phone
손목시계 | watch
공책 | notebook
가방 | bag
목도리 | scarf
곰 인형 | teddy bear
축구공 | soccer ball
동화책 | storybook
머리핀 | hair clip
교통카드 | bus card
리코더 | recorder
줄넘기 | jump rope
스케치북 | sketchbook
색연필 | colored pencils | pl
이어폰 | earphones | pl
도시락통 | lunch box
물병 | water bottle
운동화 | sneakers | pl
일기장 | diary
장난감 자동차 | toy car
팔찌 | bracelet
""")

GIFTS = parse_words("""
꽃다발 | bunch of flowers | p=bunches of flowers
편지 | letter
케이크 | cake
목도리 | scarf
곰 인형 | teddy bear
장갑 | gloves | pl | c=켤레
머리띠 | headband
퍼즐 | puzzle
머그컵 | mug
손수건 | handkerchief
필통 | pencil case
카드 | card
화분 | potted plant
팔찌 | bracelet
양말 | socks | pl | c=켤레
크레파스 | crayons | pl
그림책 | picture book
손거울 | hand mirror
열쇠고리 | key ring
""")

FRUITS = parse_words("""
사과 | apple
배 | pear
바나나 | banana
딸기 | strawberry
포도 | grapes | pl | c=송이
수박 | watermelon | c=통
귤 | tangerine
복숭아 | peach
참외 | Korean melon
감 | persimmon
키위 | kiwi
체리 | cherry
레몬 | lemon
오렌지 | orange
자두 | plum
망고 | mango
블루베리 | blueberries | pl
""")

BAKERY = parse_words("""
크림빵 | cream bun
단팥빵 | red bean bun
케이크 | cake
쿠키 | cookie
도넛 | doughnut
크루아상 | croissant
머핀 | muffin
식빵 | loaf of bread
소보로빵 | crumble bun
카스텔라 | sponge cake
와플 | waffle
샌드위치 | sandwich
""")

VEGETABLES = parse_words("""
당근 | carrot
감자 | potato
양파 | onion
오이 | cucumber
배추 | napa cabbage | c=포기
무 | radish
호박 | pumpkin
토마토 | tomato
시금치 | spinach | mass | c=단
고추 | chili pepper
옥수수 | ear of corn | p=ears of corn
고구마 | sweet potato
버섯 | mushroom
가지 | eggplant
양배추 | cabbage | c=통
브로콜리 | broccoli | mass | c=송이
""")

STATIONERY = parse_words("""
연필 | pencil | c=자루
지우개 | eraser
공책 | notebook | c=권
자 | ruler
크레파스 | crayons | pl | c=상자
색종이 | colored paper | mass | c=묶음
가위 | scissors | pl
볼펜 | pen | c=자루
스케치북 | sketchbook | c=권
필통 | pencil case
스티커 | stickers | pl | c=장
물감 | paints | pl | c=상자
붓 | paintbrush | c=자루
수첩 | notepad | c=권
""")

FLOWERS = parse_words("""
장미 | rose | c=송이
튤립 | tulip | c=송이
해바라기 | sunflower | c=송이
국화 | chrysanthemum | c=송이
백합 | lily | c=송이
카네이션 | carnation | c=송이
프리지아 | freesia | c=송이
코스모스 | cosmos flower | c=송이
""")

BOOKS = parse_words("""
동화책 | storybook | c=권
만화책 | comic book | c=권
그림책 | picture book | c=권
사전 | dictionary | c=권
요리책 | cookbook | c=권
과학책 | science book | c=권
위인전 | biography | c=권
잡지 | magazine | c=권
지도책 | atlas | c=권
시집 | poetry book | c=권
퀴즈 책 | quiz book | c=권
""")

SNACKS = parse_words("""
우유 | milk | mass | c=팩
삼각김밥 | rice triangle
컵라면 | cup of noodles | p=cups of noodles
바나나우유 | banana milk | mass | c=개
과자 | bag of chips | p=bags of chips | c=봉지
아이스크림 | ice cream | mass
초콜릿 | chocolate bar
주스 | juice | mass | c=병
생수 | bottled water | mass | c=병
젤리 | gummy candy | mass | c=봉지
껌 | gum | mass | c=통
""")

CLOTHES = parse_words("""
모자 | hat
티셔츠 | T-shirt | c=장
양말 | socks | pl | c=켤레
장갑 | gloves | pl | c=켤레
목도리 | scarf
치마 | skirt | c=벌
바지 | pants | pl | c=벌
원피스 | dress | c=벌
잠옷 | pajamas | pl | c=벌
우비 | raincoat | c=벌
외투 | coat | c=벌
스웨터 | sweater | c=벌
청바지 | jeans | pl | c=벌
""")

# Clothes that one "puts on" (입다): no hats or scarves.
WEARABLES = [c for c in CLOTHES if c.countable and c.ko not in ("모자", "목도리")]

SHOES = parse_words("""
운동화 | sneakers | pl | c=켤레
구두 | dress shoes | pl | c=켤레
장화 | rain boots | pl | c=켤레
샌들 | sandals | pl | c=켤레
슬리퍼 | slippers | pl | c=켤레
부츠 | boots | pl | c=켤레
""")

TOYS = parse_words("""
인형 | doll
공 | ball
로봇 | robot
퍼즐 | puzzle
블록 | building blocks | pl | c=상자
장난감 기차 | toy train
팽이 | spinning top
요요 | yo-yo
곰 인형 | teddy bear
연 | kite
보드게임 | board game
비눗방울 장난감 | bubble wand
""")

MARKET_FOODS = parse_words("""
떡 | rice cakes | pl | c=팩
호떡 | sweet pancake
어묵 | fish cake
만두 | dumpling
계란 | egg | c=판
두부 | tofu | mass | c=모
김 | dried seaweed | mass | c=봉지
생선 | fish | c=마리
붕어빵 | fish-shaped bread | p=fish-shaped breads
군고구마 | roasted sweet potato
""")

SHOPS = parse_words("""
빵집 | bakery | goods=bakery | owner=빵집 아저씨 | en_owner=the baker
과일 가게 | fruit shop | goods=fruit | owner=과일 가게 아주머니 | en_owner=the fruit seller
채소 가게 | vegetable shop | goods=vegetable | owner=채소 가게 아저씨 | en_owner=the vegetable seller
문구점 | stationery store | goods=stationery | owner=문구점 아저씨 | en_owner=the shopkeeper
꽃집 | flower shop | goods=flower | owner=꽃집 아주머니 | en_owner=the florist
서점 | bookstore | goods=book | owner=서점 직원 | en_owner=the clerk
편의점 | convenience store | goods=snack | owner=편의점 직원 | en_owner=the clerk
옷 가게 | clothing store | goods=clothes | owner=옷 가게 직원 | en_owner=the clerk
신발 가게 | shoe store | goods=shoes | owner=신발 가게 직원 | en_owner=the clerk
장난감 가게 | toy store | goods=toy | owner=장난감 가게 아저씨 | en_owner=the shopkeeper
시장 | market | goods=market_food | owner=시장 아주머니 | en_owner=the woman at the stall
""")

INGREDIENTS = parse_words("""
김치 | kimchi | mass
두부 | tofu | mass
돼지고기 | pork | mass
된장 | soybean paste | mass
애호박 | zucchini | mass
감자 | potatoes | pl
밥 | rice | mass
콩나물 | bean sprouts | pl
계란 | eggs | pl
고추장 | red pepper paste | mass
김 | seaweed | mass
단무지 | pickled radish | mass
시금치 | spinach | mass
당근 | carrots | pl
떡 | rice cakes | pl
어묵 | fish cakes | pl
파 | green onions | pl
햄 | ham | mass
양파 | onions | pl
고기 | meat | mass
미역 | sea mustard | mass
소고기 | beef | mass
참기름 | sesame oil | mass
간장 | soy sauce | mass
빵 | bread | mass
치즈 | cheese | mass
상추 | lettuce | mass
토마토 | tomatoes | pl
면 | noodles | pl
마늘 | garlic | mass
밀가루 | flour | mass
우유 | milk | mass
버터 | butter | mass
사과 | apples | pl
바나나 | bananas | pl
딸기 | strawberries | pl
요거트 | yogurt | mass
참치 | tuna | mass
호박 | pumpkin | mass
설탕 | sugar | mass
당면 | glass noodles | pl
잼 | jam | mass
새우 | shrimp | mass
""")

_DISH_LINES = """
김치찌개 | kimchi stew | mass | ings=김치,두부,돼지고기 | ko_how=재료를 냄비에 넣고 보글보글 끓였다 | en_how=put everything in a pot and let it bubble
된장찌개 | soybean paste stew | mass | ings=된장,두부,애호박,감자 | ko_how=된장을 풀고 채소를 넣어 끓였다 | en_how=stirred the paste into the water and boiled the vegetables in it
비빔밥 | bibimbap | mass | ings=밥,시금치,콩나물,계란,고추장 | ko_how=밥 위에 나물과 계란을 올리고 고추장을 넣었다 | en_how=put the vegetables and an egg on the rice and added the red pepper paste
김밥 | gimbap | mass | ings=김,밥,단무지,시금치,계란,당근 | ko_how=김 위에 밥을 펴고 재료를 올려 돌돌 말았다 | en_how=spread rice on the seaweed, added the fillings and rolled it up
떡볶이 | tteokbokki | mass | ings=떡,고추장,어묵,파 | ko_how=떡과 어묵을 빨간 양념에 넣고 졸였다 | en_how=cooked the rice cakes and fish cakes in the red sauce
볶음밥 | fried rice | mass | ings=밥,계란,당근,양파,햄 | ko_how=채소를 잘게 썰어 밥과 함께 볶았다 | en_how=chopped the vegetables and fried them with the rice
카레 | curry | mass | ings=감자,당근,양파,고기 | ko_how=채소와 고기를 볶은 뒤 카레 가루를 넣고 끓였다 | en_how=fried the vegetables and meat and then added the curry powder
미역국 | seaweed soup | mass | ings=미역,소고기,참기름,간장 | ko_how=미역과 소고기를 참기름에 볶은 뒤 물을 붓고 끓였다 | en_how=fried the sea mustard and beef in sesame oil and then added water
불고기 | bulgogi | mass | ings=소고기,양파,간장,마늘 | ko_how=고기를 달콤한 간장 양념에 재웠다가 구웠다 | en_how=soaked the meat in a sweet soy sauce and then grilled it
계란말이 | rolled omelet | en_n=a rolled omelet | ings=계란,파,당근 | ko_how=계란을 풀어 프라이팬에 붓고 천천히 말았다 | en_how=beat the eggs, poured them into a pan and rolled them slowly
샌드위치 | sandwiches | pl | ings=빵,햄,치즈,상추,토마토 | ko_how=빵 사이에 재료를 차곡차곡 넣었다 | en_how=put the fillings between the slices of bread
스파게티 | spaghetti | mass | ings=면,토마토,양파,마늘 | ko_how=면을 삶고 토마토소스를 만들어 섞었다 | en_how=boiled the noodles and mixed them with a tomato sauce
팬케이크 | pancakes | pl | ings=밀가루,계란,우유,버터 | ko_how=반죽을 만들어 프라이팬에 동그랗게 구웠다 | en_how=made a batter and cooked round pancakes in a pan
과일 샐러드 | fruit salad | mass | ings=사과,바나나,딸기,요거트 | ko_how=과일을 먹기 좋게 잘라 요거트와 섞었다 | en_how=cut the fruit into small pieces and mixed it with yogurt
감자전 | potato pancakes | pl | ings=감자,양파,밀가루 | ko_how=감자를 갈아서 기름에 노릇노릇하게 부쳤다 | en_how=grated the potatoes and fried them until they were golden
만두 | dumplings | pl | ings=밀가루,고기,두부,김치 | ko_how=만두피에 소를 넣고 예쁘게 빚은 뒤 쪄 냈다 | en_how=filled the wrappers, folded them neatly and steamed them
라면 | ramen | mass | ings=면,계란,파 | ko_how=물이 끓을 때 면과 계란을 넣었다 | en_how=put the noodles and an egg in the boiling water
주먹밥 | rice balls | pl | ings=밥,김,참치,참기름 | ko_how=밥에 참치를 섞어 동글동글하게 뭉쳤다 | en_how=mixed the rice with tuna and pressed it into round balls
호박죽 | pumpkin porridge | mass | ings=호박,밀가루,설탕 | ko_how=호박을 푹 삶아 으깬 뒤 천천히 저으며 끓였다 | en_how=boiled the pumpkin until soft, mashed it and stirred it slowly
잡채 | japchae | mass | ings=당면,시금치,당근,소고기 | ko_how=당면을 삶아 볶은 채소와 고기와 함께 버무렸다 | en_how=boiled the glass noodles and mixed them with the fried vegetables and meat
토스트 | toast | mass | ings=빵,계란,버터,잼 | ko_how=빵을 버터에 노릇하게 굽고 잼을 발랐다 | en_how=toasted the bread in butter and spread jam on it
새우볶음밥 | shrimp fried rice | mass | ings=밥,새우,계란,파 | ko_how=새우와 계란을 먼저 볶고 밥을 넣어 섞었다 | en_how=fried the shrimp and eggs first and then mixed in the rice
"""
DISHES = parse_words(_DISH_LINES)
_ING_BY_KO = {w.ko: w for w in INGREDIENTS}
for _d in DISHES:
    _d.attrs["ings"] = [_ING_BY_KO[k] for k in _d.attrs["ings"].split(",")]

DRINKS = parse_words("""
우유 | milk | mass
물 | water | mass
오렌지 주스 | orange juice | mass
코코아 | hot chocolate | mass
보리차 | barley tea | mass
녹차 | green tea | mass
레모네이드 | lemonade | mass
식혜 | sweet rice drink | mass
두유 | soy milk | mass
딸기 우유 | strawberry milk | mass
유자차 | citron tea | mass
사과 주스 | apple juice | mass
""")

WARM_DRINKS = [d for d in DRINKS if d.ko in ("우유", "코코아", "보리차", "녹차", "유자차", "두유")]

# Fruit that comes by the bagful (no watermelons in a paper bag).
BAG_FRUITS = [f for f in FRUITS if f.ko not in ("수박", "망고", "레몬", "참외")]

# Foods a child eats as a snack (for "ate ..." slots); dishes are foods too.
SNACK_FOODS = FRUITS + BAKERY + parse_words("""
떡 | rice cakes | pl
호떡 | sweet pancake
붕어빵 | fish-shaped bread | p=fish-shaped breads
군고구마 | roasted sweet potato
아이스크림 | ice cream | mass
초콜릿 | chocolate | mass
팥빙수 | shaved ice with red beans | mass
""")
PICNIC_FOODS = parse_words("""
김밥 | gimbap | mass
샌드위치 | sandwiches | pl
주먹밥 | rice balls | pl
유부초밥 | sweet tofu rice pockets | pl
과일 | fruit | mass
삶은 계란 | boiled eggs | pl
""")
FAVORITE_FOODS = DISHES + parse_words("""
짜장면 | black bean noodles | pl
치킨 | fried chicken | mass
피자 | pizza | mass
냉면 | cold noodles | pl
삼계탕 | chicken soup with ginseng | mass
""")

BIKE_PROBLEMS = parse_words("""
바퀴에 바람이 빠져 있었다 | the front tire was flat | fix=펌프로 바퀴에 바람을 넣었다 | en_fix=pumped air into the tire
체인이 빠져 있었다 | the chain had come off | fix=체인을 톱니바퀴에 다시 걸었다 | en_fix=put the chain back on the gear
브레이크가 잘 듣지 않았다 | the brakes did not work well | fix=브레이크 줄을 단단히 조였다 | en_fix=tightened the brake cable
안장이 너무 낮았다 | the seat was too low | fix=안장을 알맞은 높이로 올렸다 | en_fix=raised the seat to the right height
바퀴에서 삐걱삐걱 소리가 났다 | the wheel was squeaking | fix=바퀴 축에 기름을 칠했다 | en_fix=put a little oil on the wheel
손잡이가 비뚤어져 있었다 | the handlebars were crooked | fix=손잡이를 똑바로 맞추고 나사를 조였다 | en_fix=straightened the handlebars and tightened the bolt
""")

BAKES = parse_words("""
쿠키 | cookies | pl
머핀 | muffins | pl
컵케이크 | cupcakes | pl
바나나빵 | banana bread | mass
카스텔라 | sponge cake | mass
스콘 | scones | pl
초코칩 쿠키 | chocolate chip cookies | pl
당근 케이크 | carrot cake | mass
사과 파이 | apple pie | mass
마들렌 | madeleines | pl
""")

STREET_FOODS = parse_words("""
호떡 | sweet pancakes | pl
붕어빵 | fish-shaped bread | mass
어묵 | fish cake skewers | pl
떡볶이 | tteokbokki | mass
군고구마 | roasted sweet potatoes | pl
순대 | Korean sausage | mass
꽈배기 | twisted doughnuts | pl
김말이 | fried seaweed rolls | pl
""")

# Questions a child asks at home: ko = polite question (no "?"), en = direct question, ans = the answer.
QUESTIONS = parse_words("""
물은 왜 얼음이 돼요 | why does water turn into ice | ans=물은 아주 차가워지면 단단한 얼음으로 변한단다 | en_ans=when water gets very cold, it turns into hard ice
식물은 무엇을 먹고 자라요 | what do plants need to grow | ans=식물은 햇빛과 물과 공기가 있어야 자란단다 | en_ans=plants need sunlight, water and air to grow
달은 왜 모양이 바뀌어요 | why does the moon change its shape | ans=달이 지구 둘레를 돌면서 햇빛을 받는 부분이 다르게 보이기 때문이란다 | en_ans=as the moon goes around the earth, we see different parts of its sunny side
무지개는 어떻게 생겨요 | how is a rainbow made | ans=햇빛이 빗방울을 지나가면서 여러 가지 색으로 나뉘어 생긴단다 | en_ans=sunlight passes through raindrops and splits into many colors
구름은 무엇으로 만들어졌어요 | what are clouds made of | ans=구름은 아주 작은 물방울들이 모여서 생긴 거란다 | en_ans=clouds are made of many tiny drops of water
자석은 어떤 물건에 붙어요 | what does a magnet stick to | ans=자석은 철로 만든 물건에 붙는단다 | en_ans=a magnet sticks to things made of iron
겨울에는 왜 해가 일찍 져요 | why does the sun set early in winter | ans=겨울에는 해가 낮게 떠서 낮이 짧아지기 때문이란다 | en_ans=in winter the sun stays low in the sky, so the days are shorter
곰은 왜 겨울잠을 자요 | why do bears sleep through the winter | ans=겨울에는 먹이가 부족해서 잠을 자며 힘을 아끼는 거란다 | en_ans=there is little food in winter, so they sleep to save energy
그림자는 왜 생겨요 | why do we have shadows | ans=물체가 빛을 가리면 그 뒤에 어두운 부분이 생긴단다 | en_ans=when something blocks the light, a dark shape appears behind it
소리는 어떻게 들려요 | how do we hear sounds | ans=물건이 떨리면 공기도 떨리고, 그 떨림이 귀까지 전해지는 거란다 | en_ans=when something shakes, the air shakes too, and the shaking reaches our ears
바닷물은 왜 짜요 | why is sea water salty | ans=바닷물에는 소금이 많이 녹아 있기 때문이란다 | en_ans=a lot of salt is dissolved in sea water
낙엽은 왜 생겨요 | why do leaves fall in autumn | ans=나무가 추운 겨울을 나려고 잎을 떨어뜨리는 거란다 | en_ans=trees drop their leaves to get ready for the cold winter
""")

# What happens in a dream (past progressive), for the "dream" story.
DREAMS = parse_words("""
하늘을 훨훨 날고 있었다 | was flying high in the sky
말하는 {animal/과} 함께 숲속을 걷고 있었다 | was walking through a forest with a talking {animal}
커다란 과자 집 앞에 서 있었다 | was standing in front of a huge house made of cookies
바닷속에서 물고기들과 헤엄치고 있었다 | was swimming with fish under the sea
우주선을 타고 달에 가고 있었다 | was flying to the moon in a spaceship
개미만큼 작아져서 개미들과 놀고 있었다 | had become as small as an ant and was playing with ants
구름 위에서 폭신폭신한 구름을 밟으며 뛰어다니고 있었다 | was jumping around on soft, fluffy clouds
거인이 되어 산 위를 성큼성큼 걷고 있었다 | had become a giant and was striding over the mountains
""")

LANDMARKS = parse_words("""
편의점 | the convenience store
큰 사거리 | the big crossroads
은행 | the bank
신호등 | the traffic light
버스 정류장 | the bus stop
우체국 | the post office
놀이터 | the playground
꽃집 | the flower shop
""")

DIRECTIONS = parse_words("""
오른쪽 | right
왼쪽 | left
""")

FIELD_TRIPS = parse_words("""
과학관 | the science museum | see=로봇이 그림을 그리는 모습을 보았다 | en_see=watched a robot draw a picture
농장 | a farm | see=아기 염소에게 풀을 먹여 보았다 | en_see=fed grass to a baby goat
식물원 | the botanical garden | see=사람 키보다 큰 선인장을 보았다 | en_see=saw a cactus taller than a grown-up
수족관 | the aquarium | see=커다란 상어가 머리 위로 헤엄치는 것을 보았다 | en_see=saw a huge shark swim over {his} head
딸기 농장 | a strawberry farm | see=빨간 딸기를 직접 따 보았다 | en_see=picked red strawberries {himself}
민속촌 | the folk village | see=옛날 집과 옛날 물건을 구경했다 | en_see=looked at old houses and old tools
천문대 | the observatory | see=커다란 망원경으로 달을 보았다 | en_see=looked at the moon through a huge telescope
소방서 | the fire station | see=빨간 소방차에 직접 타 보았다 | en_see=sat in a real red fire truck
""")

COLORS = parse_words("""
빨간 | red
파란 | blue
노란 | yellow
하얀 | white
까만 | black
초록색 | green
분홍색 | pink
하늘색 | sky-blue
주황색 | orange
보라색 | purple
""")

# ---------------------------------------------------------------------------------------------
# Animals
# ---------------------------------------------------------------------------------------------
PETS = parse_words("""
강아지 | puppy | like=산책 | en_like=going for walks | sound=멍멍 짖었다 | en_sound=barked happily
고양이 | cat | like=따뜻한 햇볕 | en_like=warm sunshine | sound=야옹 하고 울었다 | en_sound=meowed softly
토끼 | rabbit | like=당근 | en_like=carrots | sound=귀를 쫑긋 세웠다 | en_sound=twitched both ears
햄스터 | hamster | like=해바라기씨 | en_like=sunflower seeds | sound=쳇바퀴를 돌렸다 | en_sound=ran happily on the wheel
거북이 | turtle | like=상추 | en_like=lettuce | sound=목을 쭉 내밀었다 | en_sound=slowly poked out of the shell
앵무새 | parrot | like=노래 | en_like=songs | sound=\"안녕!\" 하고 따라 말했다 | en_sound=said \"Hello!\" again and again
고슴도치 | hedgehog | like=사과 조각 | en_like=pieces of apple | sound=몸을 동그랗게 말았다 | en_sound=curled up into a little ball
병아리 | chick | like=좁쌀 | en_like=millet seeds | sound=삐약삐약 울었다 | en_sound=peeped loudly
""")

PET_NAMES = {
    "ko": [W(n, n, frozenset({"noart"}), {"g": g}) for n, g in [
        ("초코", "m"), ("보리", "f"), ("콩떡", "f"), ("뭉치", "m"), ("하루", "m"), ("두부", "m"), ("나비", "f"),
        ("방울", "f"), ("구름", "f"), ("호두", "m"), ("감자", "m"), ("땅콩", "m"), ("모카", "f"), ("쿠키", "m")]],
    "en": [W(n, n, frozenset({"noart"}), {"g": g}) for n, g in [
        ("Coco", "f"), ("Buddy", "m"), ("Biscuit", "m"), ("Pepper", "f"), ("Sunny", "f"), ("Lucky", "m"),
        ("Snowy", "f"), ("Peanut", "m"), ("Milo", "m"), ("Luna", "f"), ("Toby", "m"), ("Daisy", "f"), ("Mocha", "f"),
        ("Cookie", "m")]],
}

ZOO_ANIMALS = parse_words("""
사자 | lion | act=갈기를 흔들며 크게 울부짖었다 | en_act=shook its mane and roared loudly
호랑이 | tiger | act=바위 위에서 느긋하게 낮잠을 잤다 | en_act=took a lazy nap on a rock
코끼리 | elephant | act=긴 코로 물을 뿌렸다 | en_act=sprayed water with its long trunk
기린 | giraffe | act=높은 나무의 잎을 뜯어 먹었다 | en_act=ate leaves from a tall tree
원숭이 | monkey | act=나무에서 나무로 휙휙 뛰어다녔다 | en_act=jumped from tree to tree
판다 | panda | act=대나무를 아삭아삭 맛있게 먹었다 | en_act=munched on bamboo
펭귄 | penguin | act=뒤뚱뒤뚱 걷다가 물속으로 뛰어들었다 | en_act=waddled along and then dived into the water
곰 | bear | act=두 발로 번쩍 일어섰다 | en_act=stood up on its back legs
얼룩말 | zebra | act=풀을 천천히 뜯어 먹었다 | en_act=slowly ate the grass
하마 | hippo | act=입을 아주 크게 벌렸다 | en_act=opened its mouth very wide
캥거루 | kangaroo | act=껑충껑충 높이 뛰었다 | en_act=hopped high into the air
악어 | crocodile | act=물속에 조용히 숨어 있었다 | en_act=hid quietly in the water
물개 | seal | act=코 위에 공을 올리고 균형을 잡았다 | en_act=balanced a ball on its nose
공작 | peacock | act=화려한 꼬리를 활짝 폈다 | en_act=spread its beautiful tail
홍학 | flamingo | act=한 다리로 서서 꼼짝하지 않았다 | en_act=stood very still on one leg
낙타 | camel | act=등에 혹을 달고 천천히 걸었다 | en_act=walked slowly with the humps on its back
코알라 | koala | act=나무를 꼭 껴안고 잠을 잤다 | en_act=slept while hugging a tree
부엉이 | owl | act=커다란 눈을 끔뻑였다 | en_act=blinked its big round eyes
""")

WILD_ANIMALS = parse_words("""
참새 | sparrow
비둘기 | pigeon
다람쥐 | squirrel
나비 | butterfly
잠자리 | dragonfly
개구리 | frog
오리 | duck
까치 | magpie
개미 | ant
벌 | bee
달팽이 | snail
무당벌레 | ladybug
메뚜기 | grasshopper
청설모 | gray squirrel
""")

SEA_THINGS = parse_words("""
조개껍데기 | seashells | pl
작은 게 | little crab
불가사리 | starfish | p=starfish
매끈한 돌 | smooth stones | pl
미역 줄기 | strands of seaweed | pl
""")

# ---------------------------------------------------------------------------------------------
# Activities (verb phrases): stem | 어-form | past stem | en base | en past | en -ing
# ---------------------------------------------------------------------------------------------
INDOOR_ACTS = parse_acts("""
책을 읽 | 책을 읽어 | 책을 읽었 | read a book | read a book | reading a book
그림을 그리 | 그림을 그려 | 그림을 그렸 | draw pictures | drew pictures | drawing pictures
퍼즐을 맞추 | 퍼즐을 맞춰 | 퍼즐을 맞췄 | do a puzzle | did a puzzle | doing a puzzle
블록으로 성을 쌓 | 블록으로 성을 쌓아 | 블록으로 성을 쌓았 | build a castle with blocks | built a castle with blocks | building a castle with blocks
보드게임을 하 | 보드게임을 해 | 보드게임을 했 | play a board game | played a board game | playing a board game
종이접기를 하 | 종이접기를 해 | 종이접기를 했 | fold paper animals | folded paper animals | folding paper animals
노래를 부르 | 노래를 불러 | 노래를 불렀 | sing songs | sang songs | singing songs
영화를 보 | 영화를 봐 | 영화를 봤 | watch a movie | watched a movie | watching a movie
일기를 쓰 | 일기를 써 | 일기를 썼 | write in a diary | wrote in a diary | writing in a diary
편지를 쓰 | 편지를 써 | 편지를 썼 | write a letter | wrote a letter | writing a letter
만화책을 보 | 만화책을 봐 | 만화책을 봤 | read comic books | read comic books | reading comic books
쿠키를 굽 | 쿠키를 구워 | 쿠키를 구웠 | bake cookies | baked cookies | baking cookies
음악을 듣 | 음악을 들어 | 음악을 들었 | listen to music | listened to music | listening to music
숨바꼭질을 하 | 숨바꼭질을 해 | 숨바꼭질을 했 | play hide-and-seek | played hide-and-seek | playing hide-and-seek
색칠 놀이를 하 | 색칠 놀이를 해 | 색칠 놀이를 했 | color pictures | colored pictures | coloring pictures
인형 놀이를 하 | 인형 놀이를 해 | 인형 놀이를 했 | play with dolls | played with dolls | playing with dolls
춤을 추 | 춤을 춰 | 춤을 췄 | dance | danced | dancing
찰흙으로 동물을 만들 | 찰흙으로 동물을 만들어 | 찰흙으로 동물을 만들었 | make animals out of clay | made animals out of clay | making animals out of clay
""")

OUTDOOR_ACTS = parse_acts("""
공놀이를 하 | 공놀이를 해 | 공놀이를 했 | play catch | played catch | playing catch
술래잡기를 하 | 술래잡기를 해 | 술래잡기를 했 | play tag | played tag | playing tag
그네를 타 | 그네를 타 | 그네를 탔 | ride the swings | rode the swings | riding the swings
미끄럼틀을 타 | 미끄럼틀을 타 | 미끄럼틀을 탔 | go down the slide | went down the slide | going down the slide
자전거를 타 | 자전거를 타 | 자전거를 탔 | ride bikes | rode bikes | riding bikes
연을 날리 | 연을 날려 | 연을 날렸 | fly a kite | flew a kite | flying a kite
비눗방울을 불 | 비눗방울을 불어 | 비눗방울을 불었 | blow bubbles | blew bubbles | blowing bubbles
줄넘기를 하 | 줄넘기를 해 | 줄넘기를 했 | jump rope | jumped rope | jumping rope
축구를 하 | 축구를 해 | 축구를 했 | play soccer | played soccer | playing soccer
배드민턴을 치 | 배드민턴을 쳐 | 배드민턴을 쳤 | play badminton | played badminton | playing badminton
달리기 시합을 하 | 달리기 시합을 해 | 달리기 시합을 했 | have a race | had a race | having a race
킥보드를 타 | 킥보드를 타 | 킥보드를 탔 | ride scooters | rode scooters | riding scooters
사진을 찍 | 사진을 찍어 | 사진을 찍었 | take pictures | took pictures | taking pictures
꽃을 구경하 | 꽃을 구경해 | 꽃을 구경했 | look at the flowers | looked at the flowers | looking at the flowers
""")

SKILLS = parse_words("""
수영 | how to swim | en_practice=swimming | can=수영을 잘할 | en_can=swim across the pool
피아노 | the piano | en_practice=the piano | can=피아노로 노래 한 곡을 끝까지 칠 | en_can=play a whole song on the piano
자전거 타기 | how to ride a bike | en_practice=riding a bike | can=자전거를 혼자 탈 | en_can=ride a bike without help
줄넘기 | how to jump rope | en_practice=jumping rope | can=줄넘기를 백 번이나 할 | en_can=jump rope a hundred times
스케이트 | how to skate | en_practice=skating | can=넘어지지 않고 스케이트를 탈 | en_can=skate without falling
태권도 | taekwondo | en_practice=taekwondo | can=발차기를 멋지게 할 | en_can=do a great high kick
바이올린 | the violin | en_practice=the violin | can=바이올린으로 동요를 켤 | en_can=play a children's song on the violin
요리 | how to cook | en_practice=cooking | can=혼자서 계란말이를 만들 | en_can=make a rolled omelet alone
종이접기 | origami | en_practice=origami | can=종이로 학을 접을 | en_can=fold a paper crane
기타 | the guitar | en_practice=the guitar | can=기타로 노래를 연주할 | en_can=play a song on the guitar
한자 | Chinese characters | en_practice=writing Chinese characters | can=한자 스무 개를 쓸 | en_can=write twenty Chinese characters
영어 | English | en_practice=English | can=영어로 자기소개를 할 | en_can=introduce {himself} in English
배드민턴 | badminton | en_practice=badminton | can=셔틀콕을 멀리 칠 | en_can=hit the shuttlecock far
훌라후프 | how to use a hula hoop | en_practice=the hula hoop | can=훌라후프를 오래 돌릴 | en_can=spin the hula hoop for a long time
""")

HOBBIES = parse_words("""
독서 | reading
그림 그리기 | drawing
수영 | swimming
축구 | playing soccer
요리 | cooking
노래 부르기 | singing
춤추기 | dancing
종이접기 | origami
피아노 연주 | playing the piano
자전거 타기 | riding my bike
사진 찍기 | taking photos
등산 | hiking
줄넘기 | jumping rope
블록 쌓기 | building with blocks
산책 | going for walks
태권도 | taekwondo
별 보기 | looking at the stars
낚시 | fishing
""")

SPORTS = parse_words("""
축구 | soccer
농구 | basketball
야구 | baseball
배구 | volleyball
피구 | dodgeball
배드민턴 | badminton
탁구 | table tennis
핸드볼 | handball
""")

SUBJECTS = parse_words("""
국어 | Korean | noart
수학 | math | noart
과학 | science | noart
영어 | English | noart
음악 | music | noart
미술 | art | noart
체육 | PE | noart
사회 | social studies | noart
""")

TOPICS = parse_words("""
별 | the stars
식물 | plants
물의 순환 | the water cycle
곤충 | insects
날씨 | the weather
자석 | magnets
화산 | volcanoes
공룡 | dinosaurs
태양계 | the solar system
바다 생물 | sea animals
우리 몸 | the human body
달 | the moon
구름 | clouds
무지개 | rainbows
우주 | space
로봇 | robots
기차 | trains
세계 여러 나라 | countries around the world
옛날 사람들의 생활 | how people lived long ago
새 | birds
""")

MUSEUM_THINGS = parse_words("""
오래된 그릇 | old bowls | pl
공룡 화석 | dinosaur fossils | pl
옛날 왕관 | a golden crown from long ago | noart | en_the=the golden crown | en_this=this | en_was=was
커다란 고래 뼈 | the bones of a huge whale | noart | en_the=the whale bones | en_this=these | en_was=were
옛날 사람들의 옷 | clothes from long ago | pl
반짝이는 돌 | sparkling stones | pl
오래된 지도 | old maps | pl
""")

INSTRUMENTS = parse_words("""
피아노 | piano | vp=쳤다 | ving=치는
바이올린 | violin | vp=켰다 | ving=켜는
기타 | guitar | vp=쳤다 | ving=치는
플루트 | flute | vp=불었다 | ving=부는
드럼 | drums | pl | vp=쳤다 | ving=치는
리코더 | recorder | vp=불었다 | ving=부는
첼로 | cello | vp=켰다 | ving=켜는
우쿨렐레 | ukulele | vp=쳤다 | ving=치는
실로폰 | xylophone | vp=쳤다 | ving=치는
하모니카 | harmonica | vp=불었다 | ving=부는
""")

SEEDS = parse_words("""
해바라기 | sunflower | grow=노란 해바라기가 활짝 피었다 | en_grow=a big yellow sunflower bloomed
방울토마토 | cherry tomato | grow=빨간 방울토마토가 주렁주렁 열렸다 | en_grow=lots of red cherry tomatoes grew
강낭콩 | bean | grow=초록색 콩깍지가 길게 자랐다 | en_grow=long green bean pods grew
나팔꽃 | morning glory | grow=보라색 나팔꽃이 담장을 타고 피었다 | en_grow=purple morning glories bloomed along the fence
상추 | lettuce | grow=싱싱한 상추 잎이 쑥쑥 자랐다 | en_grow=fresh lettuce leaves grew quickly
오이 | cucumber | grow=기다란 오이가 덩굴에 매달렸다 | en_grow=long cucumbers hung from the vines
봉숭아 | garden balsam | grow=분홍색 봉숭아꽃이 피었다 | en_grow=pink balsam flowers bloomed
딸기 | strawberry | grow=작고 빨간 딸기가 열렸다 | en_grow=small red strawberries appeared
""")

AILMENTS = parse_words("""
감기 | cold | ko_got=감기에 걸렸다 | en_got=caught a cold | ko_sym=콧물이 나고 기침이 났다 | en_sym=had a runny nose and a cough | clinic=소아과 | en_clinic=the doctor's office
배탈 | stomachache | ko_got=배탈이 났다 | en_got=had a stomachache | ko_sym=배가 살살 아팠다 | en_sym=had a pain in the stomach | clinic=소아과 | en_clinic=the doctor's office
열 | fever | ko_got=열이 났다 | en_got=had a fever | ko_sym=몸이 뜨겁고 힘이 없었다 | en_sym=felt hot and weak | clinic=소아과 | en_clinic=the doctor's office
두통 | headache | ko_got=머리가 아팠다 | en_got=had a headache | ko_sym=머리가 지끈지끈 아팠다 | en_sym=had a throbbing head | clinic=병원 | en_clinic=the hospital
목감기 | sore throat | ko_got=목이 아팠다 | en_got=had a sore throat | ko_sym=침을 삼킬 때마다 목이 따가웠다 | en_sym=felt a sting every time {he} swallowed | clinic=이비인후과 | en_clinic=the ear, nose and throat doctor
치통 | toothache | ko_got=이가 아팠다 | en_got=had a toothache | ko_sym=사탕을 먹으면 이가 시렸다 | en_sym=felt a sharp pain when eating sweets | clinic=치과 | en_clinic=the dentist
""")

REASONS_LATE = parse_words("""
버스를 놓쳤기 때문이다 | had missed the bus
늦잠을 잤기 때문이다 | had overslept
길을 잘못 들었기 때문이다 | had taken the wrong way
동생을 유치원에 데려다주었기 때문이다 | had walked a younger sibling to kindergarten
할머니의 짐을 들어 드렸기 때문이다 | had helped a grandmother carry her bags
신발 끈이 풀려서 다시 묶었기 때문이다 | had stopped to tie a shoelace
""")

PROBLEMS = parse_words("""
아끼던 연필이 부러졌 | {friend.he} had broken {friend.his} favorite pencil | fix=새 연필을 빌려주었다 | en_fix=lent {friend.him} a new pencil
숙제를 잃어버렸 | {friend.he} had lost {friend.his} homework | fix=같이 숙제를 찾아 주었다 | en_fix=helped {friend.him} look for the homework
넘어져서 무릎을 다쳤 | {friend.he} had fallen and hurt {friend.his} knee | fix=보건실까지 같이 가 주었다 | en_fix=walked with {friend.him} to the school nurse
우유를 쏟았 | {friend.he} had spilled {friend.his} milk | fix=휴지로 함께 닦아 주었다 | en_fix=helped {friend.him} wipe it up with tissues
연이 나무에 걸렸 | {friend.his} kite was stuck in a tree | fix=긴 막대기로 연을 내려 주었다 | en_fix=got the kite down with a long stick
점심 도시락을 집에 두고 왔 | {friend.he} had left {friend.his} lunch box at home | fix=자기 도시락을 나누어 주었다 | en_fix=shared {his} lunch with {friend.him}
수학 문제가 너무 어려웠 | the math homework was too hard for {friend.him} | fix=차근차근 풀이를 설명해 주었다 | en_fix=explained the problem to {friend.him} step by step
그림에 물감을 쏟았 | {friend.he} had spilled paint on {friend.his} drawing | fix=새 도화지를 한 장 건네주었다 | en_fix=gave {friend.him} a fresh sheet of paper
신발 끈이 자꾸 풀렸 | {friend.his} shoelaces kept coming undone | fix=끈을 단단히 묶는 법을 알려 주었다 | en_fix=showed {friend.him} how to tie them tightly
필통을 집에 두고 왔 | {friend.he} had left {friend.his} pencil case at home | fix=연필과 지우개를 빌려주었다 | en_fix=lent {friend.him} a pencil and an eraser
""")

NUMBERS = parse_words("""
두 | two
세 | three
네 | four
다섯 | five
""")

AGES = parse_words("""
여덟 | eight | en_ord=eighth
아홉 | nine | en_ord=ninth
열 | ten | en_ord=tenth
열한 | eleven | en_ord=eleventh
열두 | twelve | en_ord=twelfth
일곱 | seven | en_ord=seventh
""")

PRICES = {
    "ko": [W(p, p) for p in ["천 원", "천오백 원", "이천 원", "이천오백 원", "삼천 원", "사천 원", "오천 원"]],
    "en": [W(p, p) for p in ["one dollar", "a dollar fifty", "two dollars", "two fifty", "three dollars",
                             "four dollars", "five dollars"]],
}

CLOCK_TIMES = parse_words("""
일곱 시 | seven o'clock
일곱 시 반 | half past seven
여덟 시 | eight o'clock
두 시 | two o'clock
세 시 | three o'clock
네 시 반 | half past four
다섯 시 | five o'clock
열 시 | ten o'clock
""")

MEET_PLACES = parse_words("""
학교 정문 앞 | in front of the school gate
놀이터 | at the playground
도서관 앞 | in front of the library
버스 정류장 | at the bus stop
공원 분수대 앞 | by the fountain in the park
편의점 앞 | in front of the convenience store
우리 집 앞 | in front of my house
""")

FESTIVAL_THINGS = parse_words("""
알록달록한 등불 | colorful lanterns | pl
커다란 풍선 | big balloons | pl
길거리 공연 | street performances | pl
솜사탕 가게 | cotton candy stands | pl
전통 놀이 마당 | traditional games | pl
""")

CAMP_THINGS = parse_words("""
텐트 | tent
침낭 | sleeping bag
손전등 | flashlight
돗자리 | picnic mat
""")

MOVIES = parse_words("""
용감한 강아지 | a brave puppy
우주에 간 고양이 | a cat who went to space
바다를 지키는 거북이 | a turtle who protected the sea
노래하는 로봇 | a robot who loved to sing
마법의 숲 | a magic forest
공룡 친구 | a friendly dinosaur
""")

# ---------------------------------------------------------------------------------------------
# Registry: slot type name -> entries (same list for both languages unless in LANG_POOLS)
# ---------------------------------------------------------------------------------------------
POOLS: dict[str, list[W]] = {
    "parent": PARENTS,
    "fam": FAMILY,
    "young_sib": YOUNG_SIBLINGS,
    "grandparent": GRANDPARENTS,
    "time": TIMES,
    "day": DAYS,
    "school_time": SCHOOL_TIMES,
    "time_winter": WINTER_TIMES,
    "time_summer": SUMMER_TIMES,
    "sunny": SUNNY,
    "rainy": RAINY,
    "snowy": SNOWY,
    "joy": FEEL_JOY,
    "proud": FEEL_PROUD,
    "glad": FEEL_JOY + FEEL_PROUD,
    "relief": FEEL_RELIEF,
    "excited": FEEL_EXCITED,
    "upset": FEEL_UPSET,
    "sad": FEEL_SAD,
    "worry": FEEL_WORRY,
    "fear": FEEL_FEAR,
    "nervous": FEEL_NERVOUS,
    "surprise": FEEL_SURPRISE,
    "tired": FEEL_TIRED,
    "bored": FEEL_BORED,
    "angry": FEEL_ANGRY,
    "thanks": FEEL_THANKS,
    "play_place": PLAY_PLACES,
    "town_place": TOWN_PLACES,
    "home_spot": HOME_SPOTS,
    "outdoor_spot": OUTDOOR_SPOTS,
    "room": ROOMS,
    "city": CITIES,
    "transport": TRANSPORT,
    "lost_item": LOST_ITEMS,
    "gift": GIFTS,
    "fruit": FRUITS,
    "warm_drink": WARM_DRINKS,
    "game_time": [t for t in SCHOOL_TIMES if t.ko in ("점심시간에", "체육 시간에", "수업이 끝난 뒤에", "금요일 오후에")],
    "wearable": WEARABLES,
    "landmark": LANDMARKS,
    "direction": DIRECTIONS,
    "field_trip": FIELD_TRIPS,
    "color": COLORS,
    "question": QUESTIONS,
    "dream": DREAMS,
    "train_city": TRAIN_CITIES,
    "bike_problem": BIKE_PROBLEMS,
    "bake": BAKES,
    "street_food": STREET_FOODS,
    "bag_fruit": BAG_FRUITS,
    "bakery": BAKERY,
    "vegetable": VEGETABLES,
    "stationery": STATIONERY,
    "flower": FLOWERS,
    "book": BOOKS,
    "snack": SNACKS,
    "clothes": CLOTHES,
    "shoes": SHOES,
    "toy": TOYS,
    "market_food": MARKET_FOODS,
    "shop": SHOPS,
    "dish": DISHES,
    "drink": DRINKS,
    "snack_food": SNACK_FOODS,
    "picnic_food": PICNIC_FOODS,
    "fav_food": FAVORITE_FOODS,
    "pet": PETS,
    "zoo_animal": ZOO_ANIMALS,
    "wild_animal": WILD_ANIMALS,
    "sea_thing": SEA_THINGS,
    "indoor_act": INDOOR_ACTS,
    "outdoor_act": OUTDOOR_ACTS,
    "skill": SKILLS,
    "hobby": HOBBIES,
    "sport": SPORTS,
    "subject": SUBJECTS,
    "topic": TOPICS,
    "museum_thing": MUSEUM_THINGS,
    "instrument": INSTRUMENTS,
    "seed": SEEDS,
    "ailment": AILMENTS,
    "late_reason": REASONS_LATE,
    "problem": PROBLEMS,
    "num": NUMBERS,
    "age": AGES,
    "clock": CLOCK_TIMES,
    "meet_place": MEET_PLACES,
    "festival_thing": FESTIVAL_THINGS,
    "camp_thing": CAMP_THINGS,
    "movie": MOVIES,
}

LANG_POOLS: dict[str, dict[str, list[W]]] = {
    "name": NAMES,
    "pet_name": PET_NAMES,
    "price": PRICES,
}

# Pools whose entries are noun-like content words (used by the particle checker in the tests).
NOUN_POOLS = (
    "parent fam young_sib grandparent play_place town_place room city transport lost_item gift fruit bakery "
    "vegetable stationery flower book snack clothes shoes toy market_food shop dish drink snack_food picnic_food "
    "fav_food pet zoo_animal wild_animal sea_thing hobby sport subject topic instrument seed ailment"
).split()


def pool(type_name: str, lang: str) -> list[W]:
    if type_name in LANG_POOLS:
        return LANG_POOLS[type_name][lang]
    return POOLS[type_name]


def content_words(lang: str) -> set[str]:
    """Distinct content words/phrases of one language over all typed tables (names included)."""
    out: set[str] = set()
    for entries in POOLS.values():
        for w in entries:
            if lang == "ko":
                out.add(w.ko)
                for k in ("ko_m", "ko_f"):
                    if k in w.attrs:
                        out.add(w.attrs[k])
            else:
                out.add(w.en)
    for by_lang in LANG_POOLS.values():
        for w in by_lang[lang]:
            out.add(w.ko if lang == "ko" else w.en)
    # Ingredients are reached through dishes, not through a pool of their own.
    for w in INGREDIENTS:
        out.add(w.ko if lang == "ko" else w.en)
    return out
